import { withdrawInvitation } from '#lib/server/modules/champions/index.ts';
import { invitationJson, withdrawInvitationOp } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const DELETE = endpoint(withdrawInvitationOp, async ({ params }, ctx) => invitationJson(await withdrawInvitation(ctx, params.id, params.handle)));
