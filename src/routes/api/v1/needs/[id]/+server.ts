import { editNeed, getNeedPage } from '#lib/server/modules/needs/index.ts';
import { getNeedOp, needDetailJson, updateNeedOp } from '#lib/server/modules/needs/needs.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(getNeedOp, async ({ params }, ctx) => needDetailJson(await getNeedPage(ctx, params.id)));

export const PATCH = endpoint(updateNeedOp, async ({ params, body }, ctx) => {
	await editNeed(ctx, params.id, body);
	return needDetailJson(await getNeedPage(ctx, params.id));
});
