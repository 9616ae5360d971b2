import { followNeed, unfollowNeed } from '#lib/server/modules/needs/index.ts';
import { followNeedOp, supportStateJson, unfollowNeedOp } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const PUT = endpoint(followNeedOp, async ({ params }, ctx) => supportStateJson(await followNeed(ctx, params.id)));

export const DELETE = endpoint(unfollowNeedOp, async ({ params }, ctx) => supportStateJson(await unfollowNeed(ctx, params.id)));
