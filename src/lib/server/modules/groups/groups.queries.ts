import { sql } from 'kysely';
import type { Actor, Ctx } from '#lib/server/platform/context.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { forbidden, notFound, parseInput } from '#lib/server/platform/errors.ts';
import { groupAbilities, mayDecideRequests, mayInvite, mayReadGroupWork, maySeeMembers, type GroupAbilities } from './groups.policy.ts';
import { listGroupsInput, listMembershipsInput } from './groups.schemas.ts';
import type { GroupKind, GroupMembershipRow, GroupRole, GroupRow, GroupVisibility, MembershipState } from './groups.tables.ts';
import { readableGroupIds } from './groups.visibility.ts';

export interface Group {
	id: number;
	slug: string;
	name: string;
	kind: GroupKind;
	visibility: GroupVisibility;
	summary: string;
	/** Markdown. */
	charter: string;
	createdAt: Date;
	updatedAt: Date;
}

export interface MemberRef {
	id: number;
	handle: string;
	displayName: string;
}

/** One member's place in one group: an active membership, a request to join, or an invitation. */
export interface GroupMembership {
	groupId: number;
	member: MemberRef;
	role: GroupRole;
	state: MembershipState;
	/** The requester's or inviter's note while pending; empty once active. */
	message: string;
	invitedBy: MemberRef | null;
	/** When the row was made: joined, asked or invited. */
	since: Date;
	updatedAt: Date;
}

/**
 * A membership as stored, without the names around it: what policy questions about the actor's own place
 * in a group need (its role and state). `GroupMembership` is the same with the member's and inviter's names.
 */
export interface Membership {
	groupId: number;
	memberId: number;
	role: GroupRole;
	state: MembershipState;
	message: string;
	invitedBy: number | null;
	since: Date;
	updatedAt: Date;
}

/** A group and the actor's membership of it (null when they have none): what every policy question needs. */
export interface GroupAccess {
	group: Group;
	membership: Membership | null;
}

export interface GroupListItem extends Omit<Group, 'charter'> {
	/** Active members; null when the actor may not see a closed group's membership. */
	memberCount: number | null;
	/** The actor's own membership, request or invitation. */
	myMembership: { role: GroupRole; state: MembershipState } | null;
}

export interface GroupPage {
	group: Group;
	myMembership: GroupMembership | null;
	abilities: GroupAbilities;
	memberCount: number | null;
	/** Active members, chairs first; null when hidden (a closed group seen from outside). */
	members: GroupMembership[] | null;
	/** Pending requests to join; null unless the actor may decide them. */
	requests: GroupMembership[] | null;
	/** Pending invitations; null unless the actor may invite. */
	invitations: GroupMembership[] | null;
}

export function toGroup(row: GroupRow): Group {
	return {
		id: row.id,
		slug: row.slug,
		name: row.name,
		kind: row.kind,
		visibility: row.visibility,
		summary: row.summary,
		charter: row.charter,
		createdAt: row.created_at,
		updatedAt: row.updated_at
	};
}

export function toMembership(row: GroupMembershipRow): Membership {
	return {
		groupId: row.group_id,
		memberId: row.member_id,
		role: row.role,
		state: row.state,
		message: row.message,
		invitedBy: row.invited_by,
		since: row.created_at,
		updatedAt: row.updated_at
	};
}

export async function findGroupBySlug(db: Executor, slug: string): Promise<Group | undefined> {
	const row = await db.selectFrom('group').selectAll().where('slug', '=', slug.toLowerCase()).executeTakeFirst();
	return row && toGroup(row);
}

export async function findGroupById(db: Executor, id: number): Promise<Group | undefined> {
	const row = await db.selectFrom('group').selectAll().where('id', '=', id).executeTakeFirst();
	return row && toGroup(row);
}

export async function findMembership(db: Executor, groupId: number, memberId: number): Promise<Membership | undefined> {
	const row = await db.selectFrom('group_membership').selectAll().where('group_id', '=', groupId).where('member_id', '=', memberId).executeTakeFirst();
	return row && toMembership(row);
}

/** Whether the actor is an active chair or moderator of some group. */
export async function leadsSomeGroup(db: Executor, actor: Actor): Promise<boolean> {
	const row = await db
		.selectFrom('group_membership')
		.select('group_id')
		.where('member_id', '=', actor.memberId)
		.where('state', '=', 'active')
		.where('role', 'in', ['chair', 'moderator'])
		.limit(1)
		.executeTakeFirst();
	return !!row;
}

/** The group and the actor's membership of it: what every policy question needs. */
export async function loadGroupAccess(db: Executor, actor: Actor | null, where: { slug: string } | { id: number }): Promise<GroupAccess | undefined> {
	const group = 'slug' in where ? await findGroupBySlug(db, where.slug) : await findGroupById(db, where.id);
	if (!group) return undefined;
	const membership = actor ? ((await findMembership(db, group.id, actor.memberId)) ?? null) : null;
	return { group, membership };
}

/**
 * For one item: its group and the actor's membership, if the actor may read that group's work. A closed
 * group's item answers `not_found` to outsiders, as if it did not exist. A null group id is public.
 * (The SQL twins for lists are in groups.visibility.ts.)
 */
export async function requireGroupWorkReadable(ctx: Ctx, groupId: number | null, what: string): Promise<GroupAccess | null> {
	if (groupId === null) return null;
	const access = await loadGroupAccess(ctx.db, ctx.actor, { id: groupId });
	if (!access) throw notFound(what);
	if (!mayReadGroupWork(ctx.actor, access.group, access.membership)) throw notFound(what);
	return access;
}

const roleOrder = sql<number>`case group_membership.role when 'chair' then 0 when 'moderator' then 1 else 2 end`;

function membershipsQuery(db: Executor) {
	return db
		.selectFrom('group_membership')
		.innerJoin('member', 'member.id', 'group_membership.member_id')
		.leftJoin('member as inviter', 'inviter.id', 'group_membership.invited_by')
		.select([
			'group_membership.group_id',
			'group_membership.role',
			'group_membership.state',
			'group_membership.message',
			'group_membership.created_at',
			'group_membership.updated_at',
			'member.id as member_id',
			'member.handle as member_handle',
			'member.display_name as member_display_name',
			'inviter.id as inviter_id',
			'inviter.handle as inviter_handle',
			'inviter.display_name as inviter_display_name'
		]);
}

type MembershipJoinRow = Awaited<ReturnType<ReturnType<typeof membershipsQuery>['executeTakeFirstOrThrow']>>;

function toGroupMembership(row: MembershipJoinRow): GroupMembership {
	return {
		groupId: row.group_id,
		member: { id: row.member_id, handle: row.member_handle, displayName: row.member_display_name },
		role: row.role,
		state: row.state,
		message: row.state === 'active' ? '' : row.message,
		invitedBy:
			row.inviter_id !== null && row.inviter_handle !== null && row.inviter_display_name !== null
				? { id: row.inviter_id, handle: row.inviter_handle, displayName: row.inviter_display_name }
				: null,
		since: row.created_at,
		updatedAt: row.updated_at
	};
}

/** One membership with the names around it; no policy check (callers have made theirs). */
export async function getMembership(db: Executor, groupId: number, memberId: number): Promise<GroupMembership | undefined> {
	const row = await membershipsQuery(db).where('group_membership.group_id', '=', groupId).where('group_membership.member_id', '=', memberId).executeTakeFirst();
	return row && toGroupMembership(row);
}

async function membershipsInState(db: Executor, groupId: number, state: MembershipState): Promise<GroupMembership[]> {
	let query = membershipsQuery(db).where('group_membership.group_id', '=', groupId).where('group_membership.state', '=', state);
	query =
		state === 'active'
			? query.orderBy(roleOrder).orderBy('member.display_name').orderBy('member.id')
			: query.orderBy('group_membership.created_at').orderBy('member.id');
	return (await query.execute()).map(toGroupMembership);
}

/** How many active members a group has (also the electorate of its priority rounds). */
export async function countActiveMembers(db: Executor, groupId: number): Promise<number> {
	const { count } = await db
		.selectFrom('group_membership')
		.select((eb) => eb.fn.countAll<number>().as('count'))
		.where('group_id', '=', groupId)
		.where('state', '=', 'active')
		.executeTakeFirstOrThrow();
	return Number(count);
}

/** Slug and name of every group, by name: enough for filters and pickers, and one index scan. */
export async function listGroupNames(ctx: Ctx): Promise<Array<{ slug: string; name: string }>> {
	return ctx.db.selectFrom('group').select(['slug', 'name']).orderBy('name').orderBy('id').execute();
}

/**
 * The groups a typed filter names, for a text field in place of a picker: the group with that address, or
 * else those with that name, in any case. At most two come back, so a caller can tell a shared name.
 */
export async function findGroupsNamed(ctx: Ctx, text: string): Promise<Array<{ slug: string; name: string }>> {
	const wanted = text.trim().toLowerCase();
	if (!wanted) return [];
	return ctx.db
		.selectFrom('group')
		.select(['slug', 'name'])
		.where((eb) => eb.or([eb('slug', '=', wanted), eb(sql<string>`lower(name)`, '=', wanted)]))
		.orderBy(sql`slug = ${wanted}`, 'desc')
		.orderBy('id')
		.limit(2)
		.execute();
}

/**
 * Every group, by name. A group's existence, name and summary are public, so visitors see closed groups
 * too; the member count of a closed group is shown only to those who may see its members.
 */
export async function listGroups(ctx: Ctx, options: unknown = {}): Promise<GroupListItem[]> {
	const { kind } = parseInput(listGroupsInput, options);
	const actorId = ctx.actor?.memberId ?? null;
	let query = ctx.db
		.selectFrom('group')
		.select(['group.id', 'group.slug', 'group.name', 'group.kind', 'group.visibility', 'group.summary', 'group.created_at', 'group.updated_at'])
		.select((eb) => [
			eb
				.selectFrom('group_membership')
				.select((e) => e.fn.countAll<number>().as('n'))
				.whereRef('group_membership.group_id', '=', 'group.id')
				.where('group_membership.state', '=', 'active')
				.as('member_count'),
			eb
				.selectFrom('group_membership')
				.select('group_membership.role')
				.whereRef('group_membership.group_id', '=', 'group.id')
				.where('group_membership.member_id', '=', actorId ?? -1)
				.as('my_role'),
			eb
				.selectFrom('group_membership')
				.select('group_membership.state')
				.whereRef('group_membership.group_id', '=', 'group.id')
				.where('group_membership.member_id', '=', actorId ?? -1)
				.as('my_state')
		])
		.orderBy('group.name')
		.orderBy('group.id');
	if (kind) query = query.where('group.kind', '=', kind);
	const rows = await query.execute();
	return rows.map((row) => {
		const mine = row.my_role && row.my_state ? { role: row.my_role, state: row.my_state } : null;
		return {
			id: row.id,
			slug: row.slug,
			name: row.name,
			kind: row.kind,
			visibility: row.visibility,
			summary: row.summary,
			createdAt: row.created_at,
			updatedAt: row.updated_at,
			memberCount: maySeeMembers(ctx.actor, row, mine) ? Number(row.member_count ?? 0) : null,
			myMembership: mine
		};
	});
}

/** Everything the group's page shows, each part filtered by the policy. */
export async function getGroupPage(ctx: Ctx, slug: string): Promise<GroupPage | undefined> {
	const access = await loadGroupAccess(ctx.db, ctx.actor, { slug });
	if (!access) return undefined;
	const { group, membership } = access;
	const abilities = groupAbilities(ctx.actor, group, membership);
	const [members, requests, invitations, myMembership] = await Promise.all([
		abilities.seeMembers ? membershipsInState(ctx.db, group.id, 'active') : null,
		abilities.decideRequests ? membershipsInState(ctx.db, group.id, 'requested') : null,
		abilities.invite ? membershipsInState(ctx.db, group.id, 'invited') : null,
		membership ? getMembership(ctx.db, group.id, membership.memberId) : null
	]);
	return {
		group,
		myMembership: myMembership ?? null,
		abilities,
		memberCount: members ? members.length : null,
		members,
		requests,
		invitations
	};
}

/** The group as the API shows it: the group, the member count if visible, the actor's membership and abilities. */
export async function getGroupDetail(ctx: Ctx, slug: string) {
	const access = await loadGroupAccess(ctx.db, ctx.actor, { slug });
	if (!access) return undefined;
	const { group, membership } = access;
	const abilities = groupAbilities(ctx.actor, group, membership);
	return {
		group,
		memberCount: abilities.seeMembers ? await countActiveMembers(ctx.db, group.id) : null,
		myMembership: membership ? ((await getMembership(ctx.db, group.id, membership.memberId)) ?? null) : null,
		abilities
	};
}

/**
 * A group's memberships in one state. Active members: whoever may see the members (everyone for an open
 * group, members for a closed one). Requests: those who decide them. Invitations: those who may invite.
 */
export async function listMemberships(ctx: Ctx, slug: string, options: unknown = {}): Promise<GroupMembership[]> {
	const { state } = parseInput(listMembershipsInput, options);
	const access = await loadGroupAccess(ctx.db, ctx.actor, { slug });
	if (!access) throw notFound('The group');
	const { group, membership } = access;
	const allowed =
		state === 'active'
			? maySeeMembers(ctx.actor, group, membership)
			: state === 'requested'
				? mayDecideRequests(ctx.actor, group, membership)
				: mayInvite(ctx.actor, group, membership);
	if (!allowed) {
		throw forbidden(
			state === 'active'
				? 'The members of a closed group are visible to its members only.'
				: state === 'requested'
					? "Only the group's chairs and moderators see requests to join."
					: "Only the group's chairs see its invitations."
		);
	}
	return membershipsInState(ctx.db, group.id, state);
}

/**
 * The groups a member belongs to (active memberships), as the actor may see them: a closed group's
 * membership shows only to those who may read that group's work. Pending rows show to the member alone.
 */
export async function listGroupsOfMember(
	ctx: Ctx,
	memberId: number
): Promise<Array<{ group: Omit<Group, 'charter'>; role: GroupRole; state: MembershipState }>> {
	const self = ctx.actor?.memberId === memberId;
	const rows = await ctx.db
		.selectFrom('group_membership')
		.innerJoin('group', 'group.id', 'group_membership.group_id')
		.select([
			'group.id',
			'group.slug',
			'group.name',
			'group.kind',
			'group.visibility',
			'group.summary',
			'group.created_at',
			'group.updated_at',
			'group_membership.role',
			'group_membership.state'
		])
		.where('group_membership.member_id', '=', memberId)
		.$if(!self, (q) => q.where('group_membership.state', '=', 'active').where('group.id', 'in', readableGroupIds(ctx.actor)))
		.orderBy('group.name')
		.execute();
	return rows.map((row) => ({
		group: {
			id: row.id,
			slug: row.slug,
			name: row.name,
			kind: row.kind,
			visibility: row.visibility,
			summary: row.summary,
			createdAt: row.created_at,
			updatedAt: row.updated_at
		},
		role: row.role,
		state: row.state
	}));
}
