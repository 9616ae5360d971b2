import { AppError } from '#lib/server/platform/errors.ts';
import { listNeedsWithoutChampion, wantedInput, type WantedList } from '#lib/server/modules/champions/index.ts';
import { listComponents } from '#lib/server/modules/needs/index.ts';
import { listGroupNames } from '#lib/server/modules/groups/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import type { PageServerLoad } from './$types';

const FILTERS = Object.keys(wantedInput.shape) as (keyof typeof wantedInput.shape)[];

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const asked: Record<string, string> = {};
	for (const key of FILTERS) {
		const value = event.url.searchParams.get(key);
		if (value !== null && value !== '') asked[key] = value;
	}
	// A bad value in the address drops that filter and says so, like the needs board.
	let list: WantedList;
	let problem: { message: string; fields: Record<string, string> } | null = null;
	try {
		list = await listNeedsWithoutChampion(ctx, asked);
	} catch (error) {
		if (!(error instanceof AppError) || error.code !== 'invalid_input') throw error;
		problem = { message: error.message, fields: error.fields };
		list = await listNeedsWithoutChampion(ctx, Object.fromEntries(Object.entries(asked).filter(([key]) => !(key in error.fields))));
	}
	const [components, groups] = await Promise.all([listComponents(ctx), listGroupNames(ctx)]);
	if (ctx.actor) event.setHeaders({ 'cache-control': 'private, no-store' });
	return { list, problem, paged: !!list.options && !!asked.cursor, components: components.map((c) => ({ slug: c.slug, name: c.name })), groups };
};
