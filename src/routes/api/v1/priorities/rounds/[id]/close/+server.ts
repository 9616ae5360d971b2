import { closeRound, getRoundPage } from '#lib/server/modules/priorities/index.ts';
import { closeRoundOp, roundJson } from '#lib/server/modules/priorities/priorities.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(closeRoundOp, async ({ params }, ctx) => {
	await closeRound(ctx, params.id);
	return roundJson(await getRoundPage(ctx, params.id));
});
