import { createGroup, listGroups } from '#lib/server/modules/groups/index.ts';
import { createGroupOp, groupJson, groupListItemJson, listGroupsOp } from '#lib/server/modules/groups/groups.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listGroupsOp, async ({ query }, ctx) => ({ groups: (await listGroups(ctx, query)).map(groupListItemJson) }));

export const POST = endpoint(createGroupOp, async ({ body }, ctx) => groupJson(await createGroup(ctx, body)));
