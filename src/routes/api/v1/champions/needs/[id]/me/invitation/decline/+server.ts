import { declineInvitation, getNeedChampions } from '#lib/server/modules/champions/index.ts';
import { declineInvitationOp, needChampionsJson } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(declineInvitationOp, async ({ params }, ctx) => {
	await declineInvitation(ctx, params.id);
	return needChampionsJson(await getNeedChampions(ctx, params.id));
});
