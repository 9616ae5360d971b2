import { getMemberByHandle, listDeployments } from '#lib/server/modules/members/index.ts';
import { deploymentJson, getMemberOperation, memberJson } from '#lib/server/modules/members/members.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';
import { notFound } from '#lib/server/platform/errors.ts';

export const GET = endpoint(getMemberOperation, async ({ params }, ctx) => {
	const member = await getMemberByHandle(ctx, params.handle);
	if (!member) throw notFound('That member');
	return { ...memberJson(member), deployments: (await listDeployments(ctx, member.id)).map(deploymentJson) };
});
