import { endMembership, setRole } from '#lib/server/modules/groups/index.ts';
import { deleteMembershipOp, membershipJson, setRoleOp } from '#lib/server/modules/groups/groups.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const PATCH = endpoint(setRoleOp, async ({ params, body }, ctx) => membershipJson(await setRole(ctx, params.slug, params.handle, body)));

export const DELETE = endpoint(deleteMembershipOp, async ({ params }, ctx) => {
	await endMembership(ctx, params.slug, params.handle);
	return null;
});
