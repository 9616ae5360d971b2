import { acceptInvitation, getNeedChampions } from '#lib/server/modules/champions/index.ts';
import { acceptInvitationOp, needChampionsJson } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(acceptInvitationOp, async ({ params, body }, ctx) => {
	await acceptInvitation(ctx, params.id, body);
	return needChampionsJson(await getNeedChampions(ctx, params.id));
});
