import { createHandoff, listHandoffsOfNeed } from '#lib/server/modules/handoff/index.ts';
import { createHandoffOp, handoffJson, listHandoffsOp } from '#lib/server/modules/handoff/handoff.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listHandoffsOp, async ({ params }, ctx) => {
	const result = await listHandoffsOfNeed(ctx, params.id);
	return { handoffs: result.handoffs.map(handoffJson), mayHandOff: result.mayHandOff };
});

export const POST = endpoint(createHandoffOp, async ({ params, body }, ctx) => handoffJson(await createHandoff(ctx, params.id, body)));
