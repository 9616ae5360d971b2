import { getDashboard } from '#lib/server/modules/champions/index.ts';
import { dashboardJson, dashboardOp } from '#lib/server/modules/champions/champions.api.ts';
import { listCycles } from '#lib/server/modules/cycles/index.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(dashboardOp, async ({ query }, ctx) => {
	const dashboard = await getDashboard(ctx, query);
	return dashboardJson(dashboard, dashboard ? dashboard.cycles : await listCycles(ctx.db));
});
