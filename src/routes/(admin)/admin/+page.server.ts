import { listActivity, memberStats } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const [stats, activity] = await Promise.all([memberStats(ctx), listActivity(ctx, { limit: 15 })]);
	return { stats, recent: activity.entries };
};
