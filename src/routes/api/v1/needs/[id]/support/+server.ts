import { supportNeed, withdrawSupport } from '#lib/server/modules/needs/index.ts';
import { supportNeedOp, supportStateJson, withdrawSupportOp } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const PUT = endpoint(supportNeedOp, async ({ params, body }, ctx) => supportStateJson(await supportNeed(ctx, params.id, body)));

export const DELETE = endpoint(withdrawSupportOp, async ({ params }, ctx) => supportStateJson(await withdrawSupport(ctx, params.id)));
