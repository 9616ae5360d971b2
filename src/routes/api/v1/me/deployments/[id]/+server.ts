import { removeDeployment, updateDeployment } from '#lib/server/modules/members/index.ts';
import { deploymentJson, removeMyDeployment, updateMyDeployment } from '#lib/server/modules/members/members.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const PATCH = endpoint(updateMyDeployment, async ({ params, body }, ctx) => deploymentJson(await updateDeployment(ctx, params.id, body)));

export const DELETE = endpoint(removeMyDeployment, async ({ params }, ctx) => {
	await removeDeployment(ctx, params.id);
	return null;
});
