import { getNeedChampions, volunteer, withdraw } from '#lib/server/modules/champions/index.ts';
import { needChampionsJson, volunteerOp, withdrawOp } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const PUT = endpoint(volunteerOp, async ({ params, body }, ctx) => {
	await volunteer(ctx, params.id, body);
	return needChampionsJson(await getNeedChampions(ctx, params.id));
});

export const DELETE = endpoint(withdrawOp, async ({ params }, ctx) => {
	await withdraw(ctx, params.id);
	return needChampionsJson(await getNeedChampions(ctx, params.id));
});
