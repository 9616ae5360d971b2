import { getAccount, updateProfile } from '#lib/server/modules/members/index.ts';
import { accountJson, getMe, updateMe } from '#lib/server/modules/members/members.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';
import { notFound } from '#lib/server/platform/errors.ts';

export const GET = endpoint(getMe, async (_input, ctx) => {
	const account = await getAccount(ctx, ctx.actor!.memberId);
	if (!account) throw notFound('Your account');
	return accountJson(account);
});

export const PATCH = endpoint(updateMe, async ({ body }, ctx) => accountJson(await updateProfile(ctx, body)));
