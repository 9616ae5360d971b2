import { AppError, invalid } from '#lib/server/platform/errors.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import { boardInput, listBoard, listComponents, type Board } from '#lib/server/modules/needs/index.ts';
import { findGroupsNamed, listGroupsOfMember } from '#lib/server/modules/groups/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { toNeedListItem } from './need-list.ts';
import type { PageServerLoad } from './$types';

// The board is plain links and GET forms: it ships no JavaScript at all. Its data is only what it shows.

const FILTERS = Object.keys(boardInput.shape) as (keyof typeof boardInput.shape)[];

type GroupName = { slug: string; name: string };

/**
 * The group a typed filter names: the group at that address, or the one group of that name (any case).
 * The board filters by address, so old `?group=<address>` links keep working.
 */
async function findGroup(ctx: Ctx, text: string): Promise<{ group: GroupName } | { error: string }> {
	const checked = boardInput.shape.group.safeParse(text);
	if (!checked.success) return { error: checked.error.issues[0].message };
	const found = await findGroupsNamed(ctx, text);
	if (found.length === 1 || found[0]?.slug === checked.data) return { group: found[0] };
	const typed = text.trim();
	if (found.length) return { error: `Group “${typed}” names several groups: type the address of the one you mean (the end of its page's address).` };
	return { error: `Group “${typed}” was not found: type a group's name or its address.` };
}

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const asked: Record<string, string> = {};
	for (const key of FILTERS) {
		const value = event.url.searchParams.get(key);
		if (value !== null && value !== '') asked[key] = value;
	}
	// The lists beside the board do not depend on it: they go out at once.
	const lists = Promise.all([listComponents(ctx), ctx.actor ? listGroupsOfMember(ctx, ctx.actor.memberId) : []]);
	lists.catch(() => {}); // awaited below; a failing board must not leave it unhandled meanwhile
	// A bad value in the address (an old link, a hand-edited one, an unknown group) drops that filter and says so.
	let message = '';
	const fields: Record<string, string> = {};
	const groupText = asked.group ?? '';
	let group: GroupName | null = null;
	if (groupText) {
		const found = await findGroup(ctx, groupText);
		if ('group' in found) {
			group = found.group;
			asked.group = group.slug;
		} else {
			fields.group = found.error;
			delete asked.group;
		}
	}
	let board: Board;
	try {
		board = await listBoard(ctx, asked);
	} catch (error) {
		if (!(error instanceof AppError) || error.code !== 'invalid_input') throw error;
		message = error.message;
		Object.assign(fields, error.fields);
		board = await listBoard(ctx, Object.fromEntries(Object.entries(asked).filter(([key]) => !(key in error.fields))));
	}
	const [components, memberships] = await lists;
	return {
		board: { needs: board.needs.map(toNeedListItem), nextCursor: board.nextCursor, options: board.options },
		problem: Object.keys(fields).length ? { message: message || invalid(fields).message, fields } : null,
		paged: !!board.options.cursor,
		components: components.map((c) => ({ slug: c.slug, name: c.name })),
		/** The group filter as typed (kept in its field), and the group it names. */
		groupText,
		group,
		/** The viewer's own groups, offered as one-click filters. */
		myGroups: memberships.filter((m) => m.state === 'active').map((m) => ({ slug: m.group.slug, name: m.group.name })),
		canFile: !!ctx.actor
	};
};
