import { triageMany } from '#lib/server/modules/needs/index.ts';
import { triageManyJson, triageManyOp } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(triageManyOp, async ({ params, body }, ctx) => triageManyJson(await triageMany(ctx, params.slug, body)));
