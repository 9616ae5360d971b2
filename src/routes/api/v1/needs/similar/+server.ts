import { similarNeeds } from '#lib/server/modules/needs/index.ts';
import { similarJson, similarNeedsOp } from '#lib/server/modules/needs/needs.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(similarNeedsOp, async ({ query }, ctx) =>
	similarJson(await similarNeeds(ctx, query.title, { limit: query.limit, excludeId: query.excludeId }))
);
