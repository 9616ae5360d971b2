import { unhideNeed } from '#lib/server/modules/needs/index.ts';
import { unhideNeedOp, needStateJson } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(unhideNeedOp, async ({ params, body }, ctx) => needStateJson(await unhideNeed(ctx, params.id, body)));
