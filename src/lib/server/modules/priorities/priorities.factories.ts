import type { Db } from '#lib/server/platform/db/database.ts';
import { jsonb } from '#lib/server/platform/db/sql.ts';
import { buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { findGroupById, type GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildCycle } from '#lib/server/modules/cycles/cycles.factories.ts';
import { findCycleById, type CycleRow } from '#lib/server/modules/cycles/index.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { buildListContent } from './priorities.lists.ts';
import type { PriorityListRow, PriorityRoundRow, StoredRanking } from './priorities.tables.ts';
import { tallyRound, type RoundResult } from './priorities.tally.ts';

/*
 * Test data for priority rounds, ballots and published lists, straight in the tables: no actor, no
 * activity, no authorization. What the commands would have computed (the tally at close, the frozen
 * content of a list) is computed here with the same functions (tallyRound, buildListContent), so a
 * built round or list reads exactly like one the commands made. What the commands check and the
 * factories do not: that candidates are open needs of the round's group, that voters are active members
 * (a ballot of a non-member is stored but, like the commands, the close does not count it).
 */

let sequence = 0;
const FACTORY_TIME = new Date('2026-11-01T00:00:00Z');

export interface BuildRoundOverrides {
	/** Defaults to a new open group. */
	group: Pick<GroupRow, 'id' | 'visibility'>;
	/** Defaults to a new cycle. */
	cycle: Pick<CycleRow, 'id'>;
	title: string;
	/** Candidate needs, in ballot order; defaults to three new accepted needs of the group. */
	candidates: { id: number }[];
	openedBy: { id: number } | null;
	openedAt: Date;
	closesAt: Date | null;
	/** Ballots cast while the round is open: each a member and a ranking (tiers of need ids), best first. */
	ballots: Array<{ member: { id: number }; ranking?: StoredRanking }>;
	/** 'closed' counts the ballots as `closeRound` does and stores the result. */
	state: 'open' | 'closed';
	closedAt: Date;
	closedBy: { id: number } | null;
}

/** A priority round with its candidates (and ballots, and, when closed, its stored result). */
export async function buildPriorityRound(db: Db, overrides: Partial<BuildRoundOverrides> = {}): Promise<PriorityRoundRow> {
	sequence += 1;
	const group = overrides.group ?? (await buildGroup(db, { visibility: 'open' }));
	const cycle = overrides.cycle ?? (await buildCycle(db));
	const candidates = overrides.candidates ?? [];
	if (!overrides.candidates) {
		for (let i = 1; i <= 3; i++) candidates.push(await buildNeed(db, { group, status: 'accepted', title: `Candidate ${i} of round ${sequence}` }));
	}
	const openedAt = overrides.openedAt ?? new Date(FACTORY_TIME.getTime() + sequence * 60_000);
	let round = await db
		.insertInto('priority_round')
		.values({
			group_id: group.id,
			cycle_id: cycle.id,
			title: overrides.title ?? `Priorities, round ${sequence}`,
			opened_by: overrides.openedBy?.id ?? null,
			opened_at: openedAt,
			closes_at: overrides.closesAt ?? null,
			updated_at: openedAt
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	if (candidates.length) {
		await db
			.insertInto('priority_candidate')
			.values(candidates.map((need, position) => ({ round_id: round.id, need_id: need.id, position })))
			.execute();
	}
	for (const ballot of overrides.ballots ?? []) await buildBallot(db, round, ballot.member, ballot.ranking);
	if (overrides.state === 'closed') round = await closeBuiltRound(db, round, { closedAt: overrides.closedAt, closedBy: overrides.closedBy ?? null });
	return round;
}

/**
 * A ballot row; the ranking defaults to the candidates in ballot order, one per tier. Replaces the
 * member's earlier ballot in the round, as casting again does.
 */
export async function buildBallot(
	db: Db,
	round: { id: number },
	member: { id: number },
	ranking?: StoredRanking,
	overrides: Partial<{ castAt: Date; updatedAt: Date }> = {}
): Promise<{ round_id: number; member_id: number; ranking: StoredRanking; cast_at: Date; updated_at: Date }> {
	const tiers = ranking ?? (await candidateIds(db, round.id)).map((id) => [id]);
	const castAt = overrides.castAt ?? FACTORY_TIME;
	const updatedAt = overrides.updatedAt ?? castAt;
	return db
		.insertInto('priority_ballot')
		.values({ round_id: round.id, member_id: member.id, ranking: jsonb(tiers), cast_at: castAt, updated_at: updatedAt })
		.onConflict((oc) => oc.columns(['round_id', 'member_id']).doUpdateSet({ ranking: jsonb(tiers), updated_at: updatedAt }))
		.returningAll()
		.executeTakeFirstOrThrow();
}

async function candidateIds(db: Db, roundId: number): Promise<number[]> {
	const rows = await db.selectFrom('priority_candidate').select('need_id').where('round_id', '=', roundId).orderBy('position').execute();
	return rows.map((r) => Number(r.need_id));
}

/**
 * Closes a built round the way `closeRound` counts it: ballots of the group's active members only, the
 * eligible count of active members, a seed (fixed here, `round-<id>-factory`, so results are repeatable).
 */
export async function closeBuiltRound(
	db: Db,
	round: PriorityRoundRow,
	options: { closedAt?: Date; closedBy?: { id: number } | null; seed?: string } = {}
): Promise<PriorityRoundRow> {
	const candidates = await candidateIds(db, round.id);
	const ballots = await db
		.selectFrom('priority_ballot as b')
		.innerJoin('group_membership as m', (join) =>
			join.onRef('m.member_id', '=', 'b.member_id').on('m.group_id', '=', round.group_id).on('m.state', '=', 'active')
		)
		.select('b.ranking')
		.where('b.round_id', '=', round.id)
		.execute();
	const eligible = await db
		.selectFrom('group_membership')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('group_id', '=', round.group_id)
		.where('state', '=', 'active')
		.executeTakeFirstOrThrow();
	const seed = options.seed ?? `round-${round.id}-factory`;
	const result: RoundResult = tallyRound(
		candidates,
		ballots.map((b) => b.ranking),
		seed,
		Number(eligible.n)
	);
	const closedAt = options.closedAt ?? new Date(round.opened_at.getTime() + 86_400_000);
	return db
		.updateTable('priority_round')
		.set({
			state: 'closed',
			closed_at: closedAt,
			closed_by: options.closedBy?.id ?? null,
			seed,
			eligible_count: result.eligible,
			ballot_count: result.ballots,
			result: jsonb(result),
			updated_at: closedAt
		})
		.where('id', '=', round.id)
		.returningAll()
		.executeTakeFirstOrThrow();
}

/**
 * A published list of a closed round (closed first if it is still open), as `publishList` writes it:
 * the next version for the group and cycle, its content frozen by buildListContent, and its entries.
 */
export async function buildPublishedList(
	db: Db,
	round: PriorityRoundRow,
	overrides: Partial<{ note: string; publishedAt: Date; publishedBy: { id: number } | null }> = {}
): Promise<PriorityListRow> {
	const closed = round.state === 'closed' && round.result ? round : await closeBuiltRound(db, round);
	const group = await findGroupById(db, closed.group_id);
	const cycle = await findCycleById(db, closed.cycle_id);
	if (!group || !cycle) throw new Error(`The group or cycle of round ${closed.id} is missing.`);
	const previous = await db
		.selectFrom('priority_list')
		.select((eb) => eb.fn.max<number>('version').as('v'))
		.where('group_id', '=', group.id)
		.where('cycle_id', '=', cycle.id)
		.executeTakeFirst();
	const version = Number(previous?.v ?? 0) + 1;
	const slug = `${group.slug}-${cycle.slug}-v${version}`;
	const note = overrides.note ?? '';
	const publishedAt = overrides.publishedAt ?? new Date(closed.closed_at!.getTime() + 3_600_000);
	const content = await buildListContent(db, { round: closed, group, cycle }, closed.result as RoundResult, { version, slug, note, publishedAt });
	const list = await db
		.insertInto('priority_list')
		.values({
			round_id: closed.id,
			group_id: group.id,
			cycle_id: cycle.id,
			version,
			slug,
			title: closed.title,
			note,
			published_by: overrides.publishedBy?.id ?? null,
			published_at: publishedAt,
			content: jsonb(content)
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	if (content.entries.length) {
		await db
			.insertInto('priority_list_entry')
			.values(content.entries.map((e) => ({ list_id: list.id, need_id: e.needId, rank: e.rank })))
			.execute();
	}
	return list;
}
