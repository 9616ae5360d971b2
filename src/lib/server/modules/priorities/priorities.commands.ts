import { randomBytes } from 'node:crypto';
import { recordActivity } from '#lib/server/platform/activity.ts';
import { inTransaction, requireActor, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import { jsonb } from '#lib/server/platform/db/sql.ts';
import { conflict, forbidden, invalid, isUniqueViolation, notFound, parseInput } from '#lib/server/platform/errors.ts';
import { activeMemberIds, countActiveMembers, loadGroupAccess, mayReadGroupWork } from '#lib/server/modules/groups/index.ts';
import { findCycle } from '#lib/server/modules/cycles/index.ts';
import { END_STATUSES, lockNeedsForReference } from '#lib/server/modules/needs/index.ts';
import { loadRoundAccess, type RoundAccess } from './priorities.access.ts';
import { buildListContent } from './priorities.lists.ts';
import { mayRunRounds, mayVote } from './priorities.policy.ts';
import { toPriorityList, toRound, type PriorityList, type Round } from './priorities.model.ts';
import { ballotInput, openRoundInput, publishInput, type BallotInput, type OpenRoundInput, type PublishInput } from './priorities.schemas.ts';
import type { PriorityRoundRow, StoredRanking } from './priorities.tables.ts';
import { tallyRound, type RoundResult } from './priorities.tally.ts';

/*
 * Priority rounds: a chair opens a round over needs of the group's backlog, members rank them, the round
 * closes (by the chair, or at its closing time) and is counted once, and the chair publishes the result
 * as a new version of the group's priority list for the cycle. Each command authorizes, validates,
 * writes and records its activity in one transaction.
 *
 * Lock before you count: a ballot takes the round's row FOR SHARE and closing takes it FOR UPDATE, so
 * every ballot either commits before the count or finds the round closed; the ballot's primary key
 * (round, member) keeps one ballot per member however many requests race.
 */

const activity = (tx: TxCtx, round: Pick<PriorityRoundRow, 'id' | 'group_id'>, action: string, data: Record<string, unknown> = {}) =>
	recordActivity(tx, { action: `priorities.${action}`, subjectType: 'priority_round', subjectId: round.id, groupId: round.group_id, data });

/**
 * Opens a round in the group `groupSlug` for a cycle, over at least two candidate needs of the group
 * that are neither merged, hidden, delivered nor declined. Chairs of the group and site administrators.
 */
export async function openRound(ctx: Ctx, groupSlug: string, input: OpenRoundInput): Promise<Round> {
	requireActor(ctx);
	const access = await loadGroupAccess(ctx.db, ctx.actor, { slug: groupSlug });
	if (!access || !mayReadGroupWork(ctx.actor, access.group, access.membership)) throw notFound('The group');
	if (!mayRunRounds(ctx.actor, access.group, access.membership)) throw forbidden('Only the group’s chairs open priority rounds.');
	const data = parseInput(openRoundInput, input);
	return inTransaction(ctx, async (tx) => {
		const cycle = await findCycle(tx.db, data.cycle);
		if (!cycle) throw invalid({ cycle: `There is no cycle ${data.cycle}; a site administrator adds cycles.` });
		if (data.closesAt && data.closesAt <= tx.now()) throw invalid({ closesAt: 'The closing time is in the past.' });
		const needs = await lockNeedsForReference(tx.db, data.candidates);
		const byId = new Map(needs.map((n) => [n.id, n]));
		for (const id of data.candidates) {
			const need = byId.get(id);
			if (!need || need.group_id !== access.group.id || need.hidden_at) throw invalid({ candidates: `#${id} is not a need of this group’s backlog.` });
			if (need.duplicate_of_id !== null)
				throw invalid({ candidates: `#${id} is merged into #${need.duplicate_of_id}; rank #${need.duplicate_of_id} instead.` });
			if (END_STATUSES.includes(need.status)) throw invalid({ candidates: `#${id} is ${need.status}; rank needs that are still open.` });
		}
		const now = tx.now();
		const round = await tx.db
			.insertInto('priority_round')
			.values({
				group_id: access.group.id,
				cycle_id: cycle.id,
				title: data.title,
				opened_by: tx.actor!.memberId,
				opened_at: now,
				closes_at: data.closesAt,
				updated_at: now
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		await tx.db
			.insertInto('priority_candidate')
			.values(data.candidates.map((needId, position) => ({ round_id: round.id, need_id: needId, position })))
			.execute();
		await activity(tx, round, 'round_opened', {
			title: round.title,
			cycle: cycle.slug,
			candidates: data.candidates,
			closesAt: data.closesAt?.toISOString() ?? null
		});
		return toRound(round);
	});
}

async function candidateIds(tx: TxCtx, roundId: number): Promise<number[]> {
	const rows = await tx.db.selectFrom('priority_candidate').select('need_id').where('round_id', '=', roundId).orderBy('position').execute();
	return rows.map((r) => r.need_id);
}

function requireVotable(access: RoundAccess, now: Date) {
	if (access.round.state !== 'open') throw conflict('The round is closed: ballots can no longer be cast or changed.');
	if (access.round.closes_at && access.round.closes_at <= now)
		throw conflict('The round closed at its closing time: ballots can no longer be cast or changed.');
}

export interface BallotView {
	roundId: number;
	ranking: StoredRanking;
	castAt: Date;
	updatedAt: Date;
}

/**
 * Casts or replaces the actor's ballot: tiers of candidate need ids, best first; unlisted candidates rank
 * below all listed ones. Active members of the round's group, while the round is open.
 */
export async function castBallot(ctx: Ctx, roundId: number, input: BallotInput): Promise<BallotView> {
	const actor = requireActor(ctx);
	const data = parseInput(ballotInput, input);
	return inTransaction(ctx, async (tx) => {
		const access = await loadRoundAccess(tx, roundId, { lock: 'share' });
		if (!mayVote(actor, access.group, access.membership)) throw forbidden('Only members of the group rank its priorities.');
		requireVotable(access, tx.now());
		const candidates = new Set(await candidateIds(tx, roundId));
		data.ranking.forEach((tier, t) =>
			tier.forEach((id) => {
				if (!candidates.has(id))
					throw invalid({ [`ranking.${t}`]: `#${id} is not a candidate in this round.`, ranking: `#${id} is not a candidate in this round.` });
			})
		);
		const now = tx.now();
		const row = await tx.db
			.insertInto('priority_ballot')
			.values({ round_id: roundId, member_id: actor.memberId, ranking: jsonb(data.ranking), cast_at: now, updated_at: now })
			.onConflict((oc) => oc.columns(['round_id', 'member_id']).doUpdateSet({ ranking: jsonb(data.ranking), updated_at: now }))
			.returningAll()
			.executeTakeFirstOrThrow();
		// The activity says that a ballot was cast, never what it says: ballots are private.
		await activity(tx, access.round, row.cast_at.getTime() === row.updated_at.getTime() ? 'ballot_cast' : 'ballot_changed');
		return { roundId, ranking: row.ranking, castAt: row.cast_at, updatedAt: row.updated_at };
	});
}

/** Takes back the actor's ballot while the round is open. */
export async function withdrawBallot(ctx: Ctx, roundId: number): Promise<void> {
	const actor = requireActor(ctx);
	await inTransaction(ctx, async (tx) => {
		const access = await loadRoundAccess(tx, roundId, { lock: 'share' });
		if (!mayVote(actor, access.group, access.membership)) throw forbidden('Only members of the group rank its priorities.');
		requireVotable(access, tx.now());
		const deleted = await tx.db.deleteFrom('priority_ballot').where('round_id', '=', roundId).where('member_id', '=', actor.memberId).executeTakeFirst();
		if (!deleted.numDeletedRows) throw notFound('Your ballot');
		await activity(tx, access.round, 'ballot_withdrawn');
	});
}

/** Counts a round under its row lock and stores the result; the caller checked who may. */
async function countAndClose(tx: TxCtx, round: PriorityRoundRow, how: 'by_chair' | 'at_closing_time'): Promise<PriorityRoundRow> {
	const candidates = await candidateIds(tx, round.id);
	// Only members of the group at the close count: a ballot of someone who has left since is set aside
	// (kept, not deleted, so a member who rejoins before the close finds it again).
	const ballots = await tx.db
		.selectFrom('priority_ballot as b')
		.select('b.ranking')
		.where('b.round_id', '=', round.id)
		.where('b.member_id', 'in', activeMemberIds(round.group_id))
		.execute();
	const eligible = await countActiveMembers(tx.db, round.group_id);
	// The seed is drawn now, after the last ballot, so nobody could have tuned a ballot to it; it is
	// stored and shown, so anyone can redo the draw from the published pairwise table.
	const seed = `round-${round.id}-${randomBytes(8).toString('hex')}`;
	const result: RoundResult = tallyRound(
		candidates,
		ballots.map((b) => b.ranking),
		seed,
		eligible
	);
	const closedAt = how === 'at_closing_time' && round.closes_at ? round.closes_at : tx.now();
	const row = await tx.db
		.updateTable('priority_round')
		.set({
			state: 'closed',
			closed_at: closedAt,
			closed_by: how === 'by_chair' ? (tx.actor?.memberId ?? null) : null,
			seed,
			eligible_count: result.eligible,
			ballot_count: result.ballots,
			result: jsonb(result),
			updated_at: tx.now()
		})
		.where('id', '=', round.id)
		.returningAll()
		.executeTakeFirstOrThrow();
	await activity(tx, row, 'round_closed', { how, ballots: result.ballots, eligible: result.eligible, seed });
	return row;
}

/** Closes an open round and counts it. Chairs of the group and site administrators. */
export async function closeRound(ctx: Ctx, roundId: number): Promise<Round> {
	requireActor(ctx);
	return inTransaction(ctx, async (tx) => {
		const access = await loadRoundAccess(tx, roundId, { lock: 'update' });
		if (!mayRunRounds(tx.actor, access.group, access.membership)) throw forbidden('Only the group’s chairs close its priority rounds.');
		if (access.round.state !== 'open') throw conflict('The round is already closed.');
		return toRound(await countAndClose(tx, access.round, 'by_chair'));
	});
}

/**
 * Closes a round whose closing time has passed, as the system: the `priorities.close_due` job calls it
 * every minute through `closeDueRounds`, and publishing calls it first. Reads never do: they show a due
 * round as closed (`effectiveRoundState`). Returns whether it closed the round. Nothing is decided by the
 * caller's rights: the time alone closes it.
 */
export async function closeRoundIfDue(ctx: Ctx, roundId: number): Promise<boolean> {
	const due = await ctx.db
		.selectFrom('priority_round')
		.select('id')
		.where('id', '=', roundId)
		.where('state', '=', 'open')
		.where('closes_at', '<=', ctx.now())
		.executeTakeFirst();
	if (!due) return false;
	return inTransaction({ ...ctx, actor: null }, async (tx) => {
		const round = await tx.db.selectFrom('priority_round').selectAll().where('id', '=', roundId).forUpdate().executeTakeFirst();
		if (!round || round.state !== 'open' || !round.closes_at || round.closes_at > tx.now()) return false;
		await countAndClose(tx, round, 'at_closing_time');
		return true;
	});
}

/** Closes every round whose closing time has passed; returns how many. For a scheduled job or the CLI. */
export async function closeDueRounds(ctx: Ctx): Promise<number> {
	const due = await ctx.db.selectFrom('priority_round').select('id').where('state', '=', 'open').where('closes_at', '<=', ctx.now()).orderBy('id').execute();
	let closed = 0;
	for (const { id } of due) if (await closeRoundIfDue(ctx, id)) closed++;
	return closed;
}

/**
 * Publishes a closed round's result as the next version of the group's priority list for the round's
 * cycle (v1, v2, ...; earlier versions stay readable). The list's content is frozen now: need titles,
 * supporter and deployment figures, the pairwise table. Chairs of the group and site administrators.
 * A published list is public, also for a closed group; the round and its ballots stay with the group.
 */
export async function publishList(ctx: Ctx, roundId: number, input: PublishInput = {}): Promise<PriorityList> {
	requireActor(ctx);
	const data = parseInput(publishInput, input);
	// A round past its closing time is counted first, in a transaction of its own, so a chair who publishes
	// within the minute before the job runs finds it closed as the page said.
	await closeRoundIfDue(ctx, roundId);
	try {
		return await inTransaction(ctx, async (tx) => {
			const access = await loadRoundAccess(tx, roundId, { lock: 'update' });
			if (!mayRunRounds(tx.actor, access.group, access.membership)) throw forbidden('Only the group’s chairs publish its priority lists.');
			if (access.round.state !== 'closed' || !access.round.result) throw conflict('Close the round before publishing its result.');
			const previous = await tx.db
				.selectFrom('priority_list')
				.select((eb) => eb.fn.max<number>('version').as('v'))
				.where('group_id', '=', access.group.id)
				.where('cycle_id', '=', access.cycle.id)
				.executeTakeFirst();
			const version = Number(previous?.v ?? 0) + 1;
			const slug = `${access.group.slug}-${access.cycle.slug}-v${version}`;
			const publishedAt = tx.now();
			const content = await buildListContent(tx.db, access, access.round.result as RoundResult, { version, slug, note: data.note, publishedAt });
			const list = await tx.db
				.insertInto('priority_list')
				.values({
					round_id: access.round.id,
					group_id: access.group.id,
					cycle_id: access.cycle.id,
					version,
					slug,
					title: access.round.title,
					note: data.note,
					published_by: tx.actor!.memberId,
					published_at: publishedAt,
					content: jsonb(content)
				})
				.returningAll()
				.executeTakeFirstOrThrow();
			await tx.db
				.insertInto('priority_list_entry')
				.values(content.entries.map((e) => ({ list_id: list.id, need_id: e.needId, rank: e.rank })))
				.execute();
			await recordActivity(tx, {
				action: 'priorities.list_published',
				subjectType: 'priority_list',
				subjectId: list.id,
				groupId: null,
				data: { roundId, version, slug }
			});
			return toPriorityList(list);
		});
	} catch (error) {
		if (isUniqueViolation(error)) throw conflict('Another version of this list was published at the same moment; reload and try again.');
		throw error;
	}
}
