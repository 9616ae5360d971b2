import { findCycle, updateCycle } from '#lib/server/modules/cycles/index.ts';
import { cycleJson, getCycleOp, updateCycleOp } from '#lib/server/modules/cycles/cycles.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';
import { notFound } from '#lib/server/platform/errors.ts';

export const GET = endpoint(getCycleOp, async ({ params }, ctx) => {
	const cycle = await findCycle(ctx.db, params.slug);
	if (!cycle) throw notFound('The cycle');
	return cycleJson(cycle);
});
export const PUT = endpoint(updateCycleOp, async ({ params, body }, ctx) => cycleJson(await updateCycle(ctx, params.slug, body)));
