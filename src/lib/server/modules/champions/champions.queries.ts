import { sql } from 'kysely';
import { z } from 'zod';
import { oneLineText } from '#lib/server/platform/text.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { invalid, parseInput } from '#lib/server/platform/errors.ts';
import {
	componentsOfNeeds,
	needFacts,
	needIdsInComponent,
	needReadableBy,
	resolveNeedAccess,
	type NeedOrAccess,
	type NeedStatus
} from '#lib/server/modules/needs/index.ts';
import { championAbilities, mayManageInvitations, mayVolunteer, type ChampionAbilities } from './champions.policy.ts';
import { toInvitation, toUpstreamChange, type ChampionInvitation, type MemberRef, type UpstreamChange } from './champions.model.ts';
import type { ChampionRole, NeedChampionRow } from './champions.tables.ts';

/** The actor's standing row on the need, if any. */
export async function standingOf(db: Executor, needId: number, memberId: number | null): Promise<NeedChampionRow | null> {
	if (memberId === null) return null;
	return (
		(await db
			.selectFrom('need_champion')
			.selectAll()
			.where('need_id', '=', needId)
			.where('member_id', '=', memberId)
			.where('ended_at', 'is', null)
			.executeTakeFirst()) ?? null
	);
}

/** Upstream changes with the member who linked each, as `toUpstreamChange` reads them. */
const changesQuery = (db: Executor) =>
	db
		.selectFrom('upstream_change')
		.leftJoin('member', 'member.id', 'upstream_change.added_by')
		.selectAll('upstream_change')
		.select(['member.handle as added_by_handle', 'member.display_name as added_by_display_name']);

/**
 * One linked change by id, with no policy check: for commands, which have made theirs (the need's readers
 * see its changes through `getNeedChampions`).
 */
export async function findUpstreamChange(db: Executor, changeId: number): Promise<UpstreamChange | undefined> {
	const row = await changesQuery(db).where('upstream_change.id', '=', changeId).executeTakeFirst();
	return row && toUpstreamChange(row);
}

/** Invitations with the member asked and the asker, as `toInvitation` reads them. */
export const invitationsQuery = (db: Executor) =>
	db
		.selectFrom('champion_invitation')
		.innerJoin('member as invitee', 'invitee.id', 'champion_invitation.member_id')
		.leftJoin('member as inviter', 'inviter.id', 'champion_invitation.invited_by')
		.selectAll('champion_invitation')
		.select([
			'invitee.handle as member_handle',
			'invitee.display_name as member_display_name',
			'inviter.handle as invited_by_handle',
			'inviter.display_name as invited_by_display_name'
		]);

/** One invitation by id, with no policy check: for commands, which have made theirs. */
export async function findInvitation(db: Executor, invitationId: number): Promise<ChampionInvitation | undefined> {
	const row = await invitationsQuery(db).where('champion_invitation.id', '=', invitationId).executeTakeFirst();
	return row && toInvitation(row);
}

export interface ChampionEntry {
	member: MemberRef & { organization: string | null };
	role: ChampionRole;
	note: string;
	since: Date;
}

export interface NeedChampions {
	champions: ChampionEntry[];
	sponsors: ChampionEntry[];
	changes: UpstreamChange[];
	/** The reader's own standing role, if any. */
	viewer: { role: ChampionRole; since: Date } | null;
	/** The reader's own open invitation to champion or sponsor the need, if any; `mayAccept` false once the need is closed to them. */
	invitation: (ChampionInvitation & { mayAccept: boolean }) | null;
	/** For the need's moderators: its open and declined invitations, oldest first (others get none). */
	invitations: ChampionInvitation[];
	abilities: ChampionAbilities;
}

/** A need's champions, sponsors and upstream changes; `not_found` for a need the reader may not read. */
export async function getNeedChampions(ctx: Ctx, ref: NeedOrAccess): Promise<NeedChampions> {
	const access = await resolveNeedAccess(ctx, ref);
	const needId = access.need.id;
	const actorId = ctx.actor?.memberId ?? null;
	const facts = needFacts(access.need);
	const manages = mayManageInvitations(ctx.actor, facts, access.group, access.membership);
	const [people, changes, standing, invitations] = await Promise.all([
		ctx.db
			.selectFrom('need_champion')
			.innerJoin('member', 'member.id', 'need_champion.member_id')
			.select([
				'need_champion.role',
				'need_champion.note',
				'need_champion.created_at',
				'member.id',
				'member.handle',
				'member.display_name',
				'member.organization'
			])
			.where('need_champion.need_id', '=', needId)
			.where('need_champion.ended_at', 'is', null)
			.orderBy('need_champion.created_at')
			.orderBy('need_champion.id')
			.execute(),
		changesQuery(ctx.db).where('upstream_change.need_id', '=', needId).orderBy('upstream_change.created_at').orderBy('upstream_change.id').execute(),
		standingOf(ctx.db, needId, actorId),
		// Only the member asked and the need's moderators see an invitation.
		actorId === null
			? []
			: invitationsQuery(ctx.db)
					.where('champion_invitation.need_id', '=', needId)
					.where((eb) =>
						manages
							? eb('champion_invitation.state', 'in', ['pending', 'declined'])
							: eb.and([eb('champion_invitation.state', '=', 'pending'), eb('champion_invitation.member_id', '=', actorId)])
					)
					.orderBy('champion_invitation.created_at')
					.orderBy('champion_invitation.id')
					.execute()
	]);
	const mine = invitations.find((i) => i.member_id === actorId && i.state === 'pending');
	const entries = people.map((p): ChampionEntry => ({
		member: { id: Number(p.id), handle: p.handle, displayName: p.display_name, organization: p.organization },
		role: p.role,
		note: p.note,
		since: p.created_at
	}));
	return {
		champions: entries.filter((e) => e.role === 'champion'),
		sponsors: entries.filter((e) => e.role === 'sponsor'),
		changes: changes.map(toUpstreamChange),
		viewer: standing ? { role: standing.role, since: standing.created_at } : null,
		invitation: mine ? { ...toInvitation(mine), mayAccept: !standing && mayVolunteer(ctx.actor, facts, access.group, access.membership) } : null,
		invitations: manages ? invitations.map(toInvitation) : [],
		abilities: championAbilities(ctx.actor, facts, access.group, access.membership, standing?.role ?? null)
	};
}

// ---------------------------------------------------------------------------------------------------
// Needs a champion.

/** Accepted needs and needs with the developers that nobody champions yet (sponsors alone do not count). */
export const WANTED_STATUSES = ['accepted', 'handed_upstream', 'in_progress'] as const satisfies readonly NeedStatus[];
export const WANTED_SORTS = ['support', 'newest', 'oldest'] as const;
export type WantedSort = (typeof WANTED_SORTS)[number];

/** A filter's text: NUL refused by field, bidi controls stripped (decision 0013). */
const shortText = (field: string, max: number) =>
	oneLineText({ field, required: `${field} is text.`, max, tooLong: `${field} is at most ${max} characters.` }).default('');

export const wantedInput = z.object({
	sort: z.union([z.literal(''), z.enum(WANTED_SORTS, { error: `Sort is one of ${WANTED_SORTS.join(', ')}.` })]).default(''),
	group: shortText('Group', 100).transform((s) => s.toLowerCase()),
	component: shortText('Component', 80).transform((s) => s.toLowerCase()),
	cursor: shortText('Cursor', 200),
	limit: z.coerce
		.number({ error: 'Limit is a number.' })
		.int('Limit is a whole number.')
		.min(1, 'Limit is at least 1.')
		.max(100, 'Limit is at most 100.')
		.default(25)
});

export interface WantedNeed {
	id: number;
	title: string;
	status: NeedStatus;
	supportCount: number;
	organizationCount: number;
	group: { slug: string; name: string } | null;
	components: { slug: string; name: string }[];
	sponsorCount: number;
	createdAt: Date;
}

export interface WantedList {
	/** Whether any need here is accepted or with the developers, championed or not (for the empty page). */
	anyWanted: boolean;
	needs: WantedNeed[];
	nextCursor: string | null;
	options: { sort: WantedSort; group: string; component: string; limit: number };
}

function decodeCursor(sort: WantedSort, raw: string): { key: number; id: number } {
	const match = /^(support|newest|oldest)\.(\d{1,15})\.(\d{1,15})$/.exec(raw);
	if (!match || match[1] !== sort) throw invalid({ cursor: 'This page link no longer fits the list; start again from the first page.' });
	return { key: Number(match[2]), id: Number(match[3]) };
}

/**
 * Needs a champion: readable, not hidden, accepted or with the developers, and no standing champion.
 * Sorted by supporters (need_top_idx), or by when they were filed (newest or oldest first), keyset-paginated.
 * Not by id: a closed group's needs have random ids (needs.ids.ts).
 */
export async function listNeedsWithoutChampion(ctx: Ctx, input: unknown = {}): Promise<WantedList> {
	const data = parseInput(wantedInput, input);
	const sort: WantedSort = data.sort || 'support';
	const cursor = data.cursor ? decodeCursor(sort, data.cursor) : null;
	let wanted = ctx.db
		.selectFrom('need')
		.leftJoin('group', 'group.id', 'need.group_id')
		.where('need.status', 'in', WANTED_STATUSES)
		.where('need.hidden_at', 'is', null)
		.where(needReadableBy(ctx.actor));
	if (data.group) wanted = wanted.where('group.slug', '=', data.group);
	if (data.component) wanted = wanted.where('need.id', 'in', needIdsInComponent(data.component));
	let query = wanted
		.select([
			'need.id',
			'need.title',
			'need.status',
			'need.support_count',
			'need.organization_count',
			'need.created_at',
			'group.slug as group_slug',
			'group.name as group_name'
		])
		.where((eb) =>
			eb.not(
				eb.exists(
					eb
						.selectFrom('need_champion')
						.select('need_champion.id')
						.whereRef('need_champion.need_id', '=', 'need.id')
						.where('need_champion.role', '=', 'champion')
						.where('need_champion.ended_at', 'is', null)
				)
			)
		);
	if (sort === 'support') {
		if (cursor) query = query.where(sql<boolean>`(need.support_count, need.id) < (${cursor.key}::int, ${cursor.id}::bigint)`);
		query = query.orderBy('need.support_count', 'desc').orderBy('need.id', 'desc');
	} else if (sort === 'newest') {
		if (cursor) query = query.where(sql<boolean>`(need.created_at, need.id) < (${new Date(cursor.key)}::timestamptz, ${cursor.id}::bigint)`);
		query = query.orderBy('need.created_at', 'desc').orderBy('need.id', 'desc');
	} else {
		if (cursor) query = query.where(sql<boolean>`(need.created_at, need.id) > (${new Date(cursor.key)}::timestamptz, ${cursor.id}::bigint)`);
		query = query.orderBy('need.created_at', 'asc').orderBy('need.id', 'asc');
	}
	const rows = await query.limit(data.limit + 1).execute();
	const page = rows.slice(0, data.limit);
	const ids = page.map((r) => Number(r.id));
	const [components, sponsors] = ids.length
		? await Promise.all([
				componentsOfNeeds(ctx.db, ids),
				ctx.db
					.selectFrom('need_champion')
					.select(['need_id', sql<number>`count(*)::int`.as('n')])
					.where('need_id', 'in', ids)
					.where('role', '=', 'sponsor')
					.where('ended_at', 'is', null)
					.groupBy('need_id')
					.execute()
			])
		: [[], []];
	const last = page.at(-1);
	// An empty first page says either "all championed" or "nothing accepted yet"; only then is it asked.
	const anyWanted = page.length > 0 || !!cursor || (await wanted.select('need.id').limit(1).executeTakeFirst()) !== undefined;
	return {
		anyWanted,
		needs: page.map((r) => ({
			id: Number(r.id),
			title: r.title,
			status: r.status,
			supportCount: r.support_count,
			organizationCount: r.organization_count,
			group: r.group_slug !== null && r.group_name !== null ? { slug: r.group_slug, name: r.group_name } : null,
			components: components.filter((c) => c.needId === Number(r.id)).map((c) => ({ slug: c.slug, name: c.name })),
			sponsorCount: sponsors.find((s) => Number(s.need_id) === Number(r.id))?.n ?? 0,
			createdAt: r.created_at
		})),
		nextCursor: rows.length > data.limit && last ? `${sort}.${sort === 'support' ? last.support_count : new Date(last.created_at).getTime()}.${last.id}` : null,
		options: { sort, group: data.group, component: data.component, limit: data.limit }
	};
}
