import { invite } from '#lib/server/modules/groups/index.ts';
import { inviteOp, membershipJson } from '#lib/server/modules/groups/groups.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(inviteOp, async ({ params, body }, ctx) => membershipJson(await invite(ctx, params.slug, body)));
