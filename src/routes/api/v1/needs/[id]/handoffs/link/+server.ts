import { linkHandoff, listHandoffsOfNeed } from '#lib/server/modules/handoff/index.ts';
import { handoffJson, linkHandoffOp } from '#lib/server/modules/handoff/handoff.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(linkHandoffOp, async ({ params, body }, ctx) => {
	const row = await linkHandoff(ctx, params.id, body);
	const { handoffs } = await listHandoffsOfNeed(ctx, params.id);
	return handoffJson(handoffs.find((h) => h.id === Number(row.id))!);
});
