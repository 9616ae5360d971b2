import { createComponent, listComponents, updateComponent } from '#lib/server/modules/needs/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	return { components: await listComponents(ctx) };
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export const actions: Actions = {
	create: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const result = await runForm(values, async () => {
			const row = await createComponent(ctx, values);
			return { done: `Added ${row.name} (${row.slug}).`, intent: 'create' };
		});
		return result;
	},
	update: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const id = /^\d{1,15}$/.test(text(values.id)) ? Number(values.id) : 0;
		return runForm(values, async () => {
			const row = await updateComponent(ctx, id, values);
			return { done: `Saved ${row.name} (${row.slug}).`, intent: `edit-${id}` };
		});
	}
};
