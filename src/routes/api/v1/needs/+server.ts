import { fileNeed, getNeedPage, listBoard } from '#lib/server/modules/needs/index.ts';
import { boardJson, createNeedOp, listNeedsOp, needDetailJson } from '#lib/server/modules/needs/needs.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listNeedsOp, async ({ query }, ctx) => boardJson(await listBoard(ctx, query)));

export const POST = endpoint(createNeedOp, async ({ body }, ctx) => {
	const need = await fileNeed(ctx, body);
	return needDetailJson(await getNeedPage(ctx, need.id));
});
