import { createCycle, listCycles } from '#lib/server/modules/cycles/index.ts';
import { createCycleOp, cycleJson, listCyclesOp } from '#lib/server/modules/cycles/cycles.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listCyclesOp, async (_input, ctx) => ({ cycles: (await listCycles(ctx.db)).map(cycleJson) }));
export const POST = endpoint(createCycleOp, async ({ body }, ctx) => cycleJson(await createCycle(ctx, body)));
