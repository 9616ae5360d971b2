import { GROUP_KINDS, listGroups, mayCreateGroup, type GroupKind } from '#lib/server/modules/groups/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const asked = event.url.searchParams.get('kind') ?? '';
	// An unknown kind in the address shows every group rather than an error.
	const kind: GroupKind | '' = (GROUP_KINDS as readonly string[]).includes(asked) ? (asked as GroupKind) : '';
	const groups = await listGroups(ctx, { kind });
	return { groups, kind, canCreate: mayCreateGroup(ctx.actor) };
};
