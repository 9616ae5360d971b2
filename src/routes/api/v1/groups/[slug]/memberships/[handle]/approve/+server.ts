import { approveRequest } from '#lib/server/modules/groups/index.ts';
import { approveRequestOp, membershipJson } from '#lib/server/modules/groups/groups.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(approveRequestOp, async ({ params }, ctx) => membershipJson(await approveRequest(ctx, params.slug, params.handle)));
