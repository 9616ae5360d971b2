import { error, fail } from '@sveltejs/kit';
import { castBallot, closeRound, getRoundPage, publishList, RANK_FIELD, rankingFromForm, withdrawBallot } from '#lib/server/modules/priorities/index.ts';
import { AppError, untrusted } from '#lib/server/platform/errors.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { redirectWithFlash } from '#lib/server/platform/http/flash.ts';
import { formAction, formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { requireConfirmed } from '#lib/server/platform/http/confirm.ts';
import type { Actions, PageServerLoad } from './$types';

/** JavaScript improves this page: the ballot is ranked by dragging or with the keyboard (the form works without it). */
export const csr = true;

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const id = event.params.id;
	try {
		const page = await getRoundPage(ctx, id);
		// A ballot is private: this page is never cached anywhere but in the voter's own browser.
		event.setHeaders({ 'cache-control': 'private, no-store' });
		return { page };
	} catch (e) {
		if (e instanceof AppError && e.code === 'not_found') error(404, 'There is no priority round at this address.');
		throw e;
	}
};

export const actions: Actions = {
	vote: async (event) => {
		const ctx = await ctxOf(event);
		const id = event.params.id;
		const values = formValues(await event.request.formData());
		const kept = Object.fromEntries(Object.entries(values).filter(([k]) => k.startsWith(RANK_FIELD) || k === 'intent'));
		const result = await runForm(kept, async () => {
			const page = await getRoundPage(ctx, id);
			const { ranking, errors } = rankingFromForm(
				values,
				page.candidates.map((c) => c.needId)
			);
			if (Object.keys(errors).length) {
				return fail(400, { message: 'Some ranks need another look.', fields: errors, values: kept });
			}
			await castBallot(ctx, id, { ranking });
			const ranked = ranking.flat().length;
			return ranked
				? `Your ballot is saved: ${ranked} of ${page.candidates.length} needs ranked. You may change it until the round closes.`
				: 'Your ballot is saved, ranking nothing: it counts as no preference.';
		});
		if (typeof result !== 'string') return result;
		redirectWithFlash(event, { success: result, intent: 'vote' });
	},
	withdraw: formAction(async (ctx, { id }) => {
		await withdrawBallot(ctx, id);
		return 'Your ballot is withdrawn.';
	}),
	close: formAction(async (ctx, { id }, values) => {
		requireConfirmed(values, 'closing stops voting for everyone and counts the ballots; it cannot be undone.');
		await closeRound(ctx, id);
		return 'The round is closed and counted.';
	}),
	publish: formAction(async (ctx, { id }, values) => {
		const list = await publishList(ctx, id, untrusted(values));
		return { redirect: `/priorities/${list.id}` };
	})
};
