import { setAdmin } from '#lib/server/modules/members/index.ts';
import { memberJson, setMemberAdmin } from '#lib/server/modules/members/members.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(setMemberAdmin, async ({ params, body }, ctx) =>
	memberJson(await setAdmin(ctx, { handle: params.handle, isAdmin: body.isAdmin }))
);
