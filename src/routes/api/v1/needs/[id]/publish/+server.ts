import { publishNeed } from '#lib/server/modules/needs/index.ts';
import { needStateJson, publishNeedOp } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(publishNeedOp, async ({ params }, ctx) => needStateJson(await publishNeed(ctx, params.id)));
