import { splitNeed } from '#lib/server/modules/needs/index.ts';
import { needStateJson, splitNeedOp } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(splitNeedOp, async ({ params, body }, ctx) => {
	const result = await splitNeed(ctx, params.id, body);
	return { from: needStateJson(result.from), created: needStateJson(result.created), notified: result.notified };
});
