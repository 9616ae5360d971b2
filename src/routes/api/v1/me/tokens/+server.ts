import { createToken, listTokens } from '#lib/server/modules/members/index.ts';
import { createMyToken, listMyTokens, tokenJson } from '#lib/server/modules/members/members.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listMyTokens, async (_input, ctx) => ({ tokens: (await listTokens(ctx, ctx.actor!.memberId)).map(tokenJson) }));

export const POST = endpoint(createMyToken, async ({ body }, ctx) => {
	const { token, secret } = await createToken(ctx, body);
	return { ...tokenJson(token), secret };
});
