import type { ListContent } from './priorities.lists.ts';
import type { PriorityListRow, PriorityRoundRow, RoundState } from './priorities.tables.ts';
import type { RoundResult } from './priorities.tally.ts';

/*
 * The priorities module's domain objects: what its commands hand to routes, the API, the command line and
 * seeds (decision 0016). Rows stay inside the module; each row type has one mapper here, so a column
 * rename touches this file and the module's queries, never a door. (Pages read richer views built by
 * the queries: RoundPage, PublishedList, ListSummary.)
 */

/** A group's ranked ballot over candidate needs in a cycle, as a command leaves it. */
export interface Round {
	id: number;
	groupId: number;
	cycleId: number;
	title: string;
	/** As stored: an open round past its closing time is counted by the next job run (`effectiveRoundState`). */
	state: RoundState;
	openedBy: number | null;
	openedAt: Date;
	closesAt: Date | null;
	closedBy: number | null;
	closedAt: Date | null;
	/** The tie-break seed, drawn at close. */
	seed: string | null;
	/** Active members of the group when the round closed. */
	eligibleCount: number | null;
	ballotCount: number | null;
	/** The tally, stored once at close. */
	result: RoundResult | null;
	updatedAt: Date;
}

export function toRound(row: PriorityRoundRow): Round {
	return {
		id: row.id,
		groupId: row.group_id,
		cycleId: row.cycle_id,
		title: row.title,
		state: row.state,
		openedBy: row.opened_by,
		openedAt: row.opened_at,
		closesAt: row.closes_at,
		closedBy: row.closed_by,
		closedAt: row.closed_at,
		seed: row.seed,
		eligibleCount: row.eligible_count,
		ballotCount: row.ballot_count,
		result: (row.result as RoundResult | null) ?? null,
		updatedAt: row.updated_at
	};
}

/** One published version of a group's priority list for a cycle. */
export interface PriorityList {
	id: number;
	roundId: number;
	groupId: number;
	cycleId: number;
	/** 1, 2, ... per group and cycle. */
	version: number;
	/** `<group slug>-<cycle slug>-v<version>`, e.g. ops-team-2027.1-v1. */
	slug: string;
	title: string;
	/** What changed since the previous version, if anything. */
	note: string;
	publishedBy: number | null;
	publishedAt: Date;
	/** Everything the list shows, frozen at publication. */
	content: ListContent;
}

export function toPriorityList(row: PriorityListRow): PriorityList {
	return {
		id: row.id,
		roundId: row.round_id,
		groupId: row.group_id,
		cycleId: row.cycle_id,
		version: row.version,
		slug: row.slug,
		title: row.title,
		note: row.note,
		publishedBy: row.published_by,
		publishedAt: row.published_at,
		content: row.content as ListContent
	};
}
