import { inviteChampion } from '#lib/server/modules/champions/index.ts';
import { invitationJson, inviteChampionOp } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(inviteChampionOp, async ({ params, body }, ctx) => invitationJson(await inviteChampion(ctx, params.id, body)));
