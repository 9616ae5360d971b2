import { activityListInput, listActivity } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const parsed = activityListInput.safeParse(Object.fromEntries(event.url.searchParams));
	const options = parsed.success ? parsed.data : {};
	const { entries, next } = await listActivity(await ctxOf(event), { before: options.before, limit: options.limit ?? 100 });
	return { entries, next, paged: !!options.before };
};
