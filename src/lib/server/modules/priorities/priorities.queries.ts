import { sql } from 'kysely';
import type { Actor, Ctx } from '#lib/server/platform/context.ts';
import { notFound, unauthenticated } from '#lib/server/platform/errors.ts';
import {
	activeMemberIds,
	countActiveMembers,
	loadGroupAccess,
	mayReadGroupWork,
	readableGroupIds,
	type Group,
	type Membership
} from '#lib/server/modules/groups/index.ts';
import { listCycles, type Cycle } from '#lib/server/modules/cycles/index.ts';
import { needReadableBy, openBacklogOf, readableNeedIdsAmong, type NeedStatus } from '#lib/server/modules/needs/index.ts';
import { loadRoundAccess, validId } from './priorities.access.ts';
import { listPublishedLists, type ListSummary } from './priorities.lists.ts';
import { effectiveRoundState, mayRunRounds, mayVote, type RoundAbilities } from './priorities.policy.ts';
import type { RoundState, StoredRanking } from './priorities.tables.ts';
import type { RoundResult } from './priorities.tally.ts';

/*
 * Reads of rounds. None of them returns another member's ballot: the only ballot any query returns is
 * the actor's own (`myBallot`); everything else is counts and the stored tally.
 */

export interface RoundSummary {
	id: number;
	title: string;
	state: RoundState;
	group: { slug: string; name: string; visibility: 'open' | 'closed' };
	cycle: { slug: string; name: string };
	openedAt: Date;
	closesAt: Date | null;
	closedAt: Date | null;
	candidateCount: number;
	/** Ballots cast so far (or at the close). */
	ballotCount: number;
}

export interface Candidate {
	needId: number;
	/** The need's current title, or null when the reader may not read the need (hidden since). */
	title: string | null;
	status: NeedStatus | null;
	supportCount: number;
}

export interface RoundPage {
	round: RoundSummary & { seed: string | null; eligibleCount: number };
	group: Group;
	abilities: RoundAbilities;
	candidates: Candidate[];
	/** The actor's own ballot, if they cast one. */
	myBallot: { ranking: StoredRanking; castAt: Date; updatedAt: Date } | null;
	/** The stored tally, once closed and counted. */
	result: RoundResult | null;
	/** Closed at its closing time, and the job that counts it has not run yet (it runs every minute). */
	counting: boolean;
	/** Lists published from this round. */
	lists: ListSummary[];
	/** May the actor rank in this group at all (a member), whatever the round's state. */
	isVoter: boolean;
}

const roundsQuery = (ctx: Ctx) =>
	ctx.db
		.selectFrom('priority_round as r')
		.innerJoin('group as g', 'g.id', 'r.group_id')
		.innerJoin('cycle as c', 'c.id', 'r.cycle_id')
		.select([
			'r.id',
			'r.title',
			'r.state',
			'r.opened_at',
			'r.closes_at',
			'r.closed_at',
			'g.slug as group_slug',
			'g.name as group_name',
			'g.visibility as group_visibility',
			'c.slug as cycle_slug',
			'c.name as cycle_name'
		])
		.select(sql<number>`(select count(*) from priority_candidate pc where pc.round_id = r.id)`.as('candidate_count'))
		.select(
			sql<number>`(select count(*) from priority_ballot pb where pb.round_id = r.id and pb.member_id in (${activeMemberIds(sql.ref('r.group_id'))}))`.as(
				'ballot_count'
			)
		)
		.where('r.group_id', 'in', readableGroupIds(ctx.actor));

type RoundListRow = Awaited<ReturnType<ReturnType<typeof roundsQuery>['execute']>>[number];

/** Reads never close a round; one past its closing time reads as closed until the job counts it. */
const summaryOf = (r: RoundListRow, now: Date): RoundSummary => ({
	id: r.id,
	title: r.title,
	state: effectiveRoundState(r.state, r.closes_at, now),
	group: { slug: r.group_slug, name: r.group_name, visibility: r.group_visibility },
	cycle: { slug: r.cycle_slug, name: r.cycle_name },
	openedAt: r.opened_at,
	closesAt: r.closes_at,
	closedAt: r.closed_at,
	candidateCount: Number(r.candidate_count),
	ballotCount: Number(r.ballot_count)
});

/** Rounds the actor may read (open groups', and closed groups' they belong to), newest first. */
export async function listRounds(ctx: Ctx, options: { groupId?: number; state?: RoundState; limit?: number } = {}): Promise<RoundSummary[]> {
	let query = roundsQuery(ctx)
		.orderBy('r.opened_at', 'desc')
		.orderBy('r.id', 'desc')
		.limit(options.limit ?? 200);
	if (options.groupId !== undefined) query = query.where('r.group_id', '=', options.groupId);
	const now = ctx.now();
	if (options.state === 'open') query = query.where('r.state', '=', 'open').where((eb) => eb.or([eb('r.closes_at', 'is', null), eb('r.closes_at', '>', now)]));
	else if (options.state === 'closed') query = query.where((eb) => eb.or([eb('r.state', '=', 'closed'), eb('r.closes_at', '<=', now)]));
	else if (options.state) query = query.where('r.state', '=', options.state);
	return (await query.execute()).map((r) => summaryOf(r, now));
}

export async function getRoundPage(ctx: Ctx, roundId: number): Promise<RoundPage> {
	const access = await loadRoundAccess(ctx, roundId);
	const summary = await roundsQuery(ctx).where('r.id', '=', roundId).executeTakeFirstOrThrow();
	const candidates = await ctx.db
		.selectFrom('priority_candidate as pc')
		.innerJoin('need', 'need.id', 'pc.need_id')
		.select(['pc.need_id', 'need.title', 'need.status', 'need.support_count'])
		.select(sql<boolean>`${needReadableBy(ctx.actor)}`.as('readable'))
		.where('pc.round_id', '=', roundId)
		.orderBy('pc.position')
		.execute();
	const mine = ctx.actor
		? await ctx.db
				.selectFrom('priority_ballot')
				.select(['ranking', 'cast_at', 'updated_at'])
				.where('round_id', '=', roundId)
				.where('member_id', '=', ctx.actor.memberId)
				.executeTakeFirst()
		: undefined;
	const { round, group, membership } = access;
	return {
		round: {
			...summaryOf(summary, ctx.now()),
			ballotCount: round.ballot_count ?? Number(summary.ballot_count),
			seed: round.seed,
			eligibleCount: round.eligible_count ?? (await countActiveMembers(ctx.db, group.id))
		},
		group,
		abilities: access.abilities,
		candidates: candidates.map((c) => ({
			needId: c.need_id,
			title: c.readable ? c.title : null,
			status: c.readable ? c.status : null,
			supportCount: c.readable ? c.support_count : 0
		})),
		myBallot: mine ? { ranking: mine.ranking, castAt: mine.cast_at, updatedAt: mine.updated_at } : null,
		result: (round.result as RoundResult | null) ?? null,
		counting: round.state === 'open' && effectiveRoundState(round.state, round.closes_at, ctx.now()) === 'closed',
		lists: await listPublishedLists(ctx.db, { roundId }),
		isVoter: mayVote(ctx.actor, group, membership)
	};
}

/** The actor's own ballot in a round they may read, or null. No one reads another member's ballot. */
export async function myBallot(ctx: Ctx, roundId: number): Promise<{ ranking: StoredRanking; castAt: Date; updatedAt: Date } | null> {
	if (!ctx.actor) throw unauthenticated();
	await loadRoundAccess(ctx, roundId);
	const row = await ctx.db
		.selectFrom('priority_ballot')
		.select(['ranking', 'cast_at', 'updated_at'])
		.where('round_id', '=', roundId)
		.where('member_id', '=', ctx.actor.memberId)
		.executeTakeFirst();
	return row ? { ranking: row.ranking, castAt: row.cast_at, updatedAt: row.updated_at } : null;
}

export interface EligibleNeed {
	id: number;
	title: string;
	status: NeedStatus;
	supportCount: number;
	deploymentCount: number;
}

export interface GroupPriorities {
	group: Group;
	membership: Membership | null;
	mayOpen: boolean;
	rounds: RoundSummary[];
	lists: ListSummary[];
	/** For the chair's "open a round" form: the group's open backlog, accepted and triaged first. */
	eligible: EligibleNeed[] | null;
	cycles: Cycle[];
}

/** A group's rounds and lists, with what a chair needs to open a new round. */
export async function getGroupPriorities(ctx: Ctx, groupSlug: string): Promise<GroupPriorities> {
	const access = await loadGroupAccess(ctx.db, ctx.actor, { slug: groupSlug });
	if (!access) throw notFound('The group');
	const { group, membership } = access;
	const readWork = mayReadGroupWork(ctx.actor, group, membership);
	const mayOpen = mayRunRounds(ctx.actor, group, membership);
	return {
		group,
		membership,
		mayOpen,
		// A closed group's rounds stay with its members; its published lists are public.
		rounds: readWork ? await listRounds(ctx, { groupId: group.id }) : [],
		lists: await listPublishedLists(ctx.db, { groupId: group.id }),
		eligible: mayOpen ? await eligibleNeeds(ctx, group.id) : null,
		cycles: mayOpen ? await listCycles(ctx.db) : []
	};
}

/** The needs a chair may put on a new round of the group: its own, not merged, hidden, delivered or declined. */
export async function eligibleNeeds(ctx: Ctx, groupId: number): Promise<EligibleNeed[]> {
	return openBacklogOf(ctx.db, groupId, 500);
}

/** Of `needIds`, those the actor may read: a published list links a need only for its readers. */
export async function readableNeedIds(ctx: Pick<Ctx, 'db' | 'actor'>, needIds: readonly number[]): Promise<Set<number>> {
	return readableNeedIdsAmong(ctx, needIds.filter(validId));
}

/** Guard for the group page's link: rounds exist and the actor may see them, or lists were published. */
export async function groupPriorityCounts(ctx: Ctx, groupId: number, actor: Actor | null = ctx.actor): Promise<{ openRounds: number; lists: number }> {
	const open = await ctx.db
		.selectFrom('priority_round')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('group_id', '=', groupId)
		.where('state', '=', 'open')
		.where('group_id', 'in', readableGroupIds(actor))
		.executeTakeFirstOrThrow();
	const lists = await ctx.db
		.selectFrom('priority_list')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.where('group_id', '=', groupId)
		.executeTakeFirstOrThrow();
	return { openRounds: Number(open.n), lists: Number(lists.n) };
}
