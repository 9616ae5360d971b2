import { getRoundPage, listRounds, openRound } from '#lib/server/modules/priorities/index.ts';
import { listRoundsOp, openRoundOp, roundJson, roundSummaryJson } from '#lib/server/modules/priorities/priorities.api.ts';
import { findGroupBySlug } from '#lib/server/modules/groups/index.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listRoundsOp, async ({ query }, ctx) => {
	let groupId: number | undefined;
	if (query.group) {
		const group = await findGroupBySlug(ctx.db, query.group);
		// An unknown group lists nothing, like a group whose rounds the caller may not read.
		if (!group) return { rounds: [] };
		groupId = group.id;
	}
	const rounds = await listRounds(ctx, { groupId, state: query.state });
	return { rounds: rounds.map(roundSummaryJson) };
});

export const POST = endpoint(openRoundOp, async ({ body }, ctx) => {
	const { group, ...input } = body;
	const round = await openRound(ctx, group, input);
	return roundJson(await getRoundPage(ctx, round.id));
});
