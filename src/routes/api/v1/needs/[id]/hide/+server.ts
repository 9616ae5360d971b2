import { hideNeed } from '#lib/server/modules/needs/index.ts';
import { hideNeedOp, needStateJson } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(hideNeedOp, async ({ params, body }, ctx) => needStateJson(await hideNeed(ctx, params.id, body)));
