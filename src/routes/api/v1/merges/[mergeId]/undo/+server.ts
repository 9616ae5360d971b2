import { undoMerge } from '#lib/server/modules/needs/index.ts';
import { mergeJson, needStateJson, undoMergeOp } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(undoMergeOp, async ({ params }, ctx) => {
	const result = await undoMerge(ctx, params.mergeId);
	return { merge: mergeJson(result.merge), source: needStateJson(result.source), target: needStateJson(result.target) };
});
