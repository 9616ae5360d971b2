import { getRoundPage } from '#lib/server/modules/priorities/index.ts';
import { getRoundOp, roundJson } from '#lib/server/modules/priorities/priorities.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(getRoundOp, async ({ params }, ctx) => {
	return roundJson(await getRoundPage(ctx, params.id));
});
