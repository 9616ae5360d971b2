import { AppError } from '#lib/server/platform/errors.ts';
import { boardInput, listBoard, listComponents, type Board } from '#lib/server/modules/needs/index.ts';
import { listGroupNames } from '#lib/server/modules/groups/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { toNeedListItem } from './need-list.ts';
import type { PageServerLoad } from './$types';

// The board is plain links and GET forms: it ships no JavaScript at all.

const FILTERS = Object.keys(boardInput.shape) as (keyof typeof boardInput.shape)[];

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const asked: Record<string, string> = {};
	for (const key of FILTERS) {
		const value = event.url.searchParams.get(key);
		if (value !== null && value !== '') asked[key] = value;
	}
	// The filter lists do not depend on the board: all three queries go out at once.
	const lists = Promise.all([listComponents(ctx), listGroupNames(ctx)]);
	lists.catch(() => {}); // awaited below; a failing board must not leave it unhandled meanwhile
	// A bad value in the address (an old link, a hand-edited one) drops that filter and says so.
	let board: Board;
	let problem: { message: string; fields: Record<string, string> } | null = null;
	try {
		board = await listBoard(ctx, asked);
	} catch (error) {
		if (!(error instanceof AppError) || error.code !== 'invalid_input') throw error;
		problem = { message: error.message, fields: error.fields };
		const kept = Object.fromEntries(Object.entries(asked).filter(([key]) => !(key in error.fields)));
		board = await listBoard(ctx, kept);
	}
	const [components, groups] = await lists;
	return {
		board: { needs: board.needs.map(toNeedListItem), nextCursor: board.nextCursor, options: board.options },
		problem,
		paged: !!board.options.cursor,
		components: components.map((c) => ({ slug: c.slug, name: c.name })),
		groups,
		canFile: !!ctx.actor
	};
};
