import { listPublishedLists } from '#lib/server/modules/priorities/index.ts';
import { listListsOp, listSummaryJson } from '#lib/server/modules/priorities/priorities.api.ts';
import { findGroupBySlug } from '#lib/server/modules/groups/index.ts';
import { findCycle } from '#lib/server/modules/cycles/index.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listListsOp, async ({ query }, ctx) => {
	const group = query.group ? await findGroupBySlug(ctx.db, query.group) : undefined;
	const cycle = query.cycle ? await findCycle(ctx.db, query.cycle) : undefined;
	if ((query.group && !group) || (query.cycle && !cycle)) return { lists: [] };
	const lists = await listPublishedLists(ctx.db, { groupId: group?.id, cycleId: cycle?.id });
	return { lists: lists.map(listSummaryJson) };
});
