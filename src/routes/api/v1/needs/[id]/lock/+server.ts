import { lockNeed } from '#lib/server/modules/needs/index.ts';
import { lockNeedOp, needStateJson } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(lockNeedOp, async ({ params, body }, ctx) => needStateJson(await lockNeed(ctx, params.id, body)));
