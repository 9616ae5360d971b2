import type { Generated, Selectable } from 'kysely';

/**
 * A release cycle of the upstream project, e.g. 2027.1. Priority rounds, surveys and the accountability
 * dashboard are per cycle; a cycle's dates decide which cycle a dated event (an acceptance, a handoff) falls in.
 */
export interface CycleTable {
	id: Generated<number>;
	/** The cycle's name as the project writes it, also its URL key: "2027.1". */
	slug: string;
	name: string;
	/** Dates, inclusive, as 'YYYY-MM-DD' strings (PostgreSQL `date`). */
	starts_on: string;
	ends_on: string;
	created_at: Date;
}
export type CycleRow = Selectable<CycleTable>;

export interface CyclesTables {
	cycle: CycleTable;
}
