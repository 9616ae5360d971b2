import { linkHandoff } from '#lib/server/modules/handoff/index.ts';
import { handoffJson, linkHandoffOp } from '#lib/server/modules/handoff/handoff.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(linkHandoffOp, async ({ params, body }, ctx) => handoffJson(await linkHandoff(ctx, params.id, body)));
