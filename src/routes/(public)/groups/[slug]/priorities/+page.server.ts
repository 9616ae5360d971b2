import { error, redirect } from '@sveltejs/kit';
import { getGroupPriorities, openRound } from '#lib/server/modules/priorities/index.ts';
import { cycleOn } from '#lib/server/modules/cycles/index.ts';
import { AppError, untrusted } from '#lib/server/platform/errors.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { isStorableText } from '#lib/server/platform/text.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	if (!isStorableText(event.params.slug)) error(404, 'There is no group at this address.');
	const ctx = await ctxOf(event);
	try {
		const page = await getGroupPriorities(ctx, event.params.slug);
		const current = page.mayOpen ? await cycleOn(ctx.db, ctx.now()) : null;
		return {
			...page,
			membership: page.membership ? { role: page.membership.role, state: page.membership.state } : null,
			currentCycle: current?.slug ?? page.cycles[0]?.slug ?? ''
		};
	} catch (e) {
		if (e instanceof AppError && e.code === 'not_found') error(404, 'There is no group at this address.');
		throw e;
	}
};

export const actions: Actions = {
	open: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData(), ['candidates']);
		const result = await runForm(values, () => openRound(ctx, event.params.slug, untrusted(values)));
		if ('id' in result) redirect(303, `/priorities/rounds/${result.id}`);
		return result;
	}
};
