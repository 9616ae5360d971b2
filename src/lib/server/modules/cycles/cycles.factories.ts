import type { Db } from '#lib/server/platform/db/database.ts';
import type { CycleRow } from './cycles.tables.ts';

let sequence = 0;

/**
 * A cycle row straight in the table, for tests. Defaults: cycle `<year>.1` of a far-off year (2090 and
 * on, one year per cycle built, so defaults never collide with each other nor overlap), running from
 * 1 January to 30 June of that year. Give `startsOn`/`endsOn` as 'YYYY-MM-DD', like the table stores them.
 * What `createCycle` checks (slug shape, dates in order) is not checked here, except by the table's own
 * constraints (unique slug, `starts_on <= ends_on`).
 */
export async function buildCycle(
	db: Db,
	overrides: Partial<{ slug: string; name: string; startsOn: string; endsOn: string; createdAt: Date }> = {}
): Promise<CycleRow> {
	sequence += 1;
	const year = 2089 + sequence;
	const slug = overrides.slug ?? `${year}.1`;
	return db
		.insertInto('cycle')
		.values({
			slug,
			name: overrides.name ?? slug,
			starts_on: overrides.startsOn ?? `${year}-01-01`,
			ends_on: overrides.endsOn ?? `${year}-06-30`,
			created_at: overrides.createdAt ?? new Date('2026-11-01T00:00:00Z')
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}
