import { getNeedHistory, listMerges } from '#lib/server/modules/needs/index.ts';
import { historyEntryJson, mergeRecordJson, needHistoryOp } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(needHistoryOp, async ({ params }, ctx) => {
	const [history, merges] = await Promise.all([getNeedHistory(ctx, params.id), listMerges(ctx, params.id)]);
	return { history: history.map(historyEntryJson), merges: merges.map(mergeRecordJson) };
});
