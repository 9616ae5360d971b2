import { createComponent, listComponents, updateComponent } from '#lib/server/modules/needs/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formAction } from '#lib/server/platform/http/forms.ts';
import { parseId } from '#lib/ids.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	return { components: await listComponents(ctx) };
};

export const actions: Actions = {
	create: formAction(async (ctx, _params, values) => {
		const row = await createComponent(ctx, values);
		return `Added ${row.name} (${row.slug}).`;
	}),
	update: formAction(async (ctx, _params, values) => {
		const row = await updateComponent(ctx, parseId(values.id) ?? 0, values);
		return `Saved ${row.name} (${row.slug}).`;
	})
};
