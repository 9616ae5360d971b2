import { AppError } from '#lib/server/platform/errors.ts';
import { dashboardInput, getDashboard, type Dashboard } from '#lib/server/modules/champions/index.ts';
import { listCycles } from '#lib/server/modules/cycles/index.ts';
import { listGroupNames } from '#lib/server/modules/groups/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import type { PageServerLoad } from './$types';

const FILTERS = Object.keys(dashboardInput.shape) as (keyof typeof dashboardInput.shape)[];

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const asked: Record<string, string> = {};
	for (const key of FILTERS) {
		const value = event.url.searchParams.get(key);
		if (value !== null && value !== '') asked[key] = value;
	}
	let dashboard: Dashboard | null;
	let problem: { message: string; fields: Record<string, string> } | null = null;
	try {
		dashboard = await getDashboard(ctx, asked);
	} catch (error) {
		if (!(error instanceof AppError) || error.code !== 'invalid_input') throw error;
		problem = { message: error.message, fields: error.fields };
		dashboard = await getDashboard(ctx, Object.fromEntries(Object.entries(asked).filter(([key]) => !(key in error.fields))));
	}
	const [cycles, groups] = await Promise.all([dashboard ? dashboard.cycles : listCycles(ctx.db), listGroupNames(ctx)]);
	// Counts differ by reader (closed groups): never cache a signed-in reader's numbers for anyone else.
	if (ctx.actor) event.setHeaders({ 'cache-control': 'private, no-store' });
	return { dashboard, problem, cycles, groups };
};
