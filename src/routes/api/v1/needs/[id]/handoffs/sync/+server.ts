import { listHandoffsOfNeed, syncNeed } from '#lib/server/modules/handoff/index.ts';
import { changeJson, handoffJson, syncHandoffsOp } from '#lib/server/modules/handoff/handoff.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(syncHandoffsOp, async ({ params }, ctx) => {
	const changes = await syncNeed(ctx, params.id);
	const { handoffs } = await listHandoffsOfNeed(ctx, params.id);
	return { changes: changes.map(changeJson), handoffs: handoffs.map(handoffJson) };
});
