import { createComponent, listComponents, updateComponent } from '#lib/server/modules/needs/index.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
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
		const component = await createComponent(ctx, untrusted(values));
		return `Added ${component.name} (${component.slug}).`;
	}),
	update: formAction(async (ctx, _params, values) => {
		const component = await updateComponent(ctx, parseId(values.id) ?? 0, untrusted(values));
		return `Saved ${component.name} (${component.slug}).`;
	})
};
