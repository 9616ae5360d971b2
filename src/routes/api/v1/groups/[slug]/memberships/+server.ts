import { joinOrRequest, listMemberships } from '#lib/server/modules/groups/index.ts';
import { joinGroupOp, listMembershipsOp, membershipJson } from '#lib/server/modules/groups/groups.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listMembershipsOp, async ({ params, query }, ctx) => ({
	memberships: (await listMemberships(ctx, params.slug, query)).map(membershipJson)
}));

export const POST = endpoint(joinGroupOp, async ({ params, body }, ctx) => membershipJson(await joinOrRequest(ctx, params.slug, body)));
