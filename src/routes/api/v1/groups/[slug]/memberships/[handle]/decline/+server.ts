import { declineRequest } from '#lib/server/modules/groups/index.ts';
import { declineRequestOp } from '#lib/server/modules/groups/groups.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(declineRequestOp, async ({ params }, ctx) => {
	await declineRequest(ctx, params.slug, params.handle);
	return null;
});
