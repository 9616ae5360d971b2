import { changeStatus } from '#lib/server/modules/needs/index.ts';
import { changeStatusOp, needStateJson } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(changeStatusOp, async ({ params, body }, ctx) => needStateJson(await changeStatus(ctx, params.id, body)));
