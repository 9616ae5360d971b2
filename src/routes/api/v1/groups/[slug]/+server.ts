import { getGroupDetail, updateGroup } from '#lib/server/modules/groups/index.ts';
import { getGroupOp, groupDetailJson, groupJson, updateGroupOp } from '#lib/server/modules/groups/groups.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';
import { notFound } from '#lib/server/platform/errors.ts';

export const GET = endpoint(getGroupOp, async ({ params }, ctx) => {
	const detail = await getGroupDetail(ctx, params.slug);
	if (!detail) throw notFound('The group');
	return groupDetailJson(detail);
});

export const PATCH = endpoint(updateGroupOp, async ({ params, body }, ctx) => groupJson(await updateGroup(ctx, params.slug, body)));
