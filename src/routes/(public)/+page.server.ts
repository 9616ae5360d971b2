import { redirect } from '@sveltejs/kit';
import { countMembers } from '#lib/server/modules/members/index.ts';
import { homeNeeds } from '#lib/server/modules/needs/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { toNeedListItem } from './needs/need-list.ts';
import type { PageServerLoad } from './$types';

// Links only: no JavaScript needed.

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const members = await countMembers(ctx.db);
	if (members === 0) redirect(303, '/setup');
	const { top, recent } = await homeNeeds(ctx, 5);
	return { members, top: top.map(toNeedListItem), recent: recent.map(toNeedListItem) };
};
