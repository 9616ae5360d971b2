import { listAccountabilityNeeds } from '#lib/server/modules/champions/index.ts';
import { accountabilityNeedsJson, accountabilityNeedsOp } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(accountabilityNeedsOp, async ({ query }, ctx) => accountabilityNeedsJson(await listAccountabilityNeeds(ctx, query), query.metric));
