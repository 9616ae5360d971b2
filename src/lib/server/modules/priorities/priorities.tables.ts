import type { Generated, Selectable } from 'kysely';

export const ROUND_STATES = ['open', 'closed'] as const;
export type RoundState = (typeof ROUND_STATES)[number];

/** One ballot's ranking as stored: tiers of need ids, most preferred first; unlisted candidates rank below all. */
export type StoredRanking = number[][];

/**
 * A group's ranked ballot over candidate needs in a cycle. Open, members rank; closed, the result is
 * counted once (Schulze, seeded tie-break) and stored, so the page and every later publication read the
 * same numbers.
 */
export interface PriorityRoundTable {
	id: Generated<number>;
	group_id: number;
	cycle_id: number;
	title: string;
	state: Generated<RoundState>;
	opened_by: number | null;
	opened_at: Date;
	/** When set, no ballot is accepted from this time on, and the round is closed when next read. */
	closes_at: Date | null;
	closed_by: number | null;
	closed_at: Date | null;
	/** The tie-break seed, drawn at close: `round-<id>-<random hex>`. */
	seed: string | null;
	/** Active members of the group when the round closed. */
	eligible_count: number | null;
	ballot_count: number | null;
	/** The stored tally (see RoundResult in priorities.tally.ts). */
	result: unknown | null;
	updated_at: Date;
}
export type PriorityRoundRow = Selectable<PriorityRoundTable>;

export interface PriorityCandidateTable {
	round_id: number;
	need_id: number;
	/** The order the chair listed them in; shown on the ballot, meaningless for the count. */
	position: number;
}

export interface PriorityBallotTable {
	round_id: number;
	member_id: number;
	ranking: StoredRanking;
	cast_at: Date;
	updated_at: Date;
}

export interface PriorityListTable {
	id: Generated<number>;
	round_id: number;
	group_id: number;
	cycle_id: number;
	/** 1, 2, ... per group and cycle: a re-publication is a new version, and older ones stay readable. */
	version: number;
	/** `<group slug>-<cycle slug>-v<version>`, e.g. ops-team-2027.1-v1. */
	slug: string;
	title: string;
	/** What changed since the previous version, if anything. */
	note: Generated<string>;
	published_by: number | null;
	published_at: Date;
	/** Everything the list shows, frozen at publication (PublishedList in priorities.lists.ts). */
	content: unknown;
}
export type PriorityListRow = Selectable<PriorityListTable>;

export interface PriorityListEntryTable {
	list_id: number;
	need_id: number;
	rank: number;
}

export interface PrioritiesTables {
	priority_round: PriorityRoundTable;
	priority_candidate: PriorityCandidateTable;
	priority_ballot: PriorityBallotTable;
	priority_list: PriorityListTable;
	priority_list_entry: PriorityListEntryTable;
}
