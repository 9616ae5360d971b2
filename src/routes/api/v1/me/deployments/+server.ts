import { addDeployment, listDeployments } from '#lib/server/modules/members/index.ts';
import { addMyDeployment, deploymentJson, listMyDeployments } from '#lib/server/modules/members/members.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listMyDeployments, async (_input, ctx) => ({
	deployments: (await listDeployments(ctx, ctx.actor!.memberId)).map(deploymentJson)
}));

export const POST = endpoint(addMyDeployment, async ({ body }, ctx) => deploymentJson(await addDeployment(ctx, body)));
