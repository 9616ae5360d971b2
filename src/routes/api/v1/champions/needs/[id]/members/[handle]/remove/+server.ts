import { getNeedChampions, removeChampion } from '#lib/server/modules/champions/index.ts';
import { needChampionsJson, removeChampionOp } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(removeChampionOp, async ({ params, body }, ctx) => {
	await removeChampion(ctx, params.id, params.handle, body);
	return needChampionsJson(await getNeedChampions(ctx, params.id));
});
