import { listPublishedLists, listRounds } from '#lib/server/modules/priorities/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	// A round past its closing time is not listed as open, though the job may not have counted it yet.
	const [lists, openRounds] = await Promise.all([listPublishedLists(ctx.db), listRounds(ctx, { state: 'open' })]);
	return { lists, openRounds };
};
