import { closeDueRounds, listPublishedLists, listRounds } from '#lib/server/modules/priorities/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	// Rounds past their closing time are closed before they are listed, so none shows as open by mistake.
	await closeDueRounds(ctx);
	const [lists, openRounds] = await Promise.all([listPublishedLists(ctx.db), listRounds(ctx, { state: 'open' })]);
	return { lists, openRounds };
};
