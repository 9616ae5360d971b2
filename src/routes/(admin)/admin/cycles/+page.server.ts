import { createCycle, listCycles, updateCycle } from '#lib/server/modules/cycles/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formAction } from '#lib/server/platform/http/forms.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	return { cycles: await listCycles(ctx.db) };
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');

export const actions: Actions = {
	create: formAction(async (ctx, _params, values) => {
		const cycle = await createCycle(ctx, untrusted(values));
		return `Added cycle ${cycle.slug}.`;
	}),
	update: formAction(async (ctx, _params, values) => {
		const cycle = await updateCycle(ctx, text(values.original), untrusted(values));
		return `Saved cycle ${cycle.slug}.`;
	})
};
