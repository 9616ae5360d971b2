import { unlockNeed } from '#lib/server/modules/needs/index.ts';
import { unlockNeedOp, needStateJson } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(unlockNeedOp, async ({ params, body }, ctx) => needStateJson(await unlockNeed(ctx, params.id, body)));
