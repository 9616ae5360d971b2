import type { Executor } from '#lib/server/platform/db/database.ts';
import type { CycleRow } from './cycles.tables.ts';

export interface Cycle {
	id: number;
	slug: string;
	name: string;
	startsOn: string;
	endsOn: string;
}

/** The one mapper from a cycle's row to its domain object (decision 0016). */
export const toCycle = (row: CycleRow): Cycle => ({ id: row.id, slug: row.slug, name: row.name, startsOn: row.starts_on, endsOn: row.ends_on });

/** Newest first: the cycle people are working on is at the top. */
export async function listCycles(db: Executor): Promise<Cycle[]> {
	const rows = await db.selectFrom('cycle').selectAll().orderBy('starts_on', 'desc').orderBy('id', 'desc').execute();
	return rows.map(toCycle);
}

/** A cycle by id (the cycle a round or a list belongs to). */
export async function findCycleById(db: Executor, id: number): Promise<Cycle | null> {
	const row = await db.selectFrom('cycle').selectAll().where('id', '=', id).executeTakeFirst();
	return row ? toCycle(row) : null;
}

export async function findCycle(db: Executor, slug: string): Promise<Cycle | null> {
	const row = await db.selectFrom('cycle').selectAll().where('slug', '=', slug).executeTakeFirst();
	return row ? toCycle(row) : null;
}

/** The cycle whose dates hold `day` (the latest-starting one if cycles overlap), or null. */
export async function cycleOn(db: Executor, day: Date): Promise<Cycle | null> {
	const iso = day.toISOString().slice(0, 10);
	const row = await db
		.selectFrom('cycle')
		.selectAll()
		.where('starts_on', '<=', iso)
		.where('ends_on', '>=', iso)
		.orderBy('starts_on', 'desc')
		.limit(1)
		.executeTakeFirst();
	return row ? toCycle(row) : null;
}
