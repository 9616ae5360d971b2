import { listMembers, memberListInput } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const params = event.url.searchParams;
	const raw = { q: params.get('q') ?? undefined, segment: params.get('segment') ?? undefined, after: params.get('after') ?? undefined };
	const parsed = memberListInput.safeParse(raw);
	// A bad filter in a hand-edited address shows everything and says why, rather than failing the page.
	const filter = parsed.data ?? memberListInput.parse({});
	const { members, next } = await listMembers(await ctxOf(event), { query: filter.q, segment: filter.segment, after: filter.after, limit: 50 });
	return {
		members,
		next,
		q: filter.q ?? '',
		segment: filter.segment ?? '',
		paged: !!filter.after,
		problem: parsed.success ? null : parsed.error.issues.map((issue) => issue.message).join(' ')
	};
};
