import { createCycle, listCycles, updateCycle } from '#lib/server/modules/cycles/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	return { cycles: await listCycles(ctx.db) };
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export const actions: Actions = {
	create: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		return runForm(values, async () => {
			const cycle = await createCycle(ctx, values);
			return { done: `Added cycle ${cycle.slug}.`, intent: 'create' };
		});
	},
	update: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const original = text(values.original);
		return runForm(values, async () => {
			const cycle = await updateCycle(ctx, original, values);
			return { done: `Saved cycle ${cycle.slug}.`, intent: `edit-${original}` };
		});
	}
};
