import { listActivity, memberStats } from '#lib/server/modules/members/index.ts';
import { listGroupNames } from '#lib/server/modules/groups/index.ts';
import { listCycles } from '#lib/server/modules/cycles/index.ts';
import { listComponents } from '#lib/server/modules/needs/index.ts';
import { listTrackersForAdmin } from '#lib/server/modules/handoff/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const [stats, activity, groups, cycles, components, trackers] = await Promise.all([
		memberStats(ctx),
		listActivity(ctx, { limit: 15 }),
		listGroupNames(ctx),
		listCycles(ctx.db),
		listComponents(ctx),
		listTrackersForAdmin(ctx)
	]);
	// What a new site still lacks before operators can file, rank and hand needs upstream.
	const setup = {
		groups: groups.length,
		cycles: cycles.length,
		components: components.length,
		trackers: trackers.filter((t) => t.enabled).length
	};
	return { stats, recent: activity.entries, setup };
};
