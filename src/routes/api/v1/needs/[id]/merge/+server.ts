import { mergeNeed } from '#lib/server/modules/needs/index.ts';
import { mergeJson, mergeNeedOp, needStateJson } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(mergeNeedOp, async ({ params, body }, ctx) => {
	const result = await mergeNeed(ctx, { sourceId: params.id, targetId: body.targetId, reason: body.reason });
	return { merge: mergeJson(result.merge), source: needStateJson(result.source), target: needStateJson(result.target), notified: result.notified };
});
