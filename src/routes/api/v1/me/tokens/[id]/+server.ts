import { revokeToken } from '#lib/server/modules/members/index.ts';
import { revokeMyToken } from '#lib/server/modules/members/members.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const DELETE = endpoint(revokeMyToken, async ({ params }, ctx) => {
	await revokeToken(ctx, params.id);
	return null;
});
