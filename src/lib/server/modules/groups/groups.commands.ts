import { recordActivity } from '#lib/server/platform/activity.ts';
import { inTransaction, requireActor, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { conflict, forbidden, invalid, isUniqueViolation, notFound, parseInput } from '#lib/server/platform/errors.ts';
import {
	mayCreateGroup,
	mayDecideRequests,
	mayInvite,
	mayJoinOpenGroup,
	mayLeave,
	mayRemoveMembers,
	mayRequestToJoin,
	mayRespondToInvitation,
	maySetRoles,
	mayUpdateGroup
} from './groups.policy.ts';
import { getMembership, toGroup, type Group, type GroupMembership } from './groups.queries.ts';
import {
	createGroupInput,
	inviteInput,
	requestToJoinInput,
	setRoleInput,
	updateGroupInput,
	type CreateGroupInput,
	type InviteInput,
	type RequestToJoinInput,
	type SetRoleInput,
	type UpdateGroupInput
} from './groups.schemas.ts';
import type { GroupMembershipRow, GroupRole, GroupRow, MembershipState } from './groups.tables.ts';

/*
 * Every command: authorize (groups.policy.ts), validate (groups.schemas.ts), write, record the activity
 * with the group's id, all in one transaction.
 *
 * Concurrency. The membership's primary key (group_id, member_id) is the lock for joins, requests and
 * invitations: a second insert for the same pair fails with a unique violation, answered as `conflict`.
 * State changes (approve, accept) are conditional updates (`where state = 'requested'`), so of two
 * simultaneous approvals one changes the row and the other finds nothing left to approve. Changes that
 * could leave a group without a chair (leave, remove, demote) first lock the group's row, so two chairs
 * leaving at once are counted one after the other.
 */

const MEMBERSHIP_PKEY = 'group_membership_pkey';

const SIGN_IN = 'Sign in to take part in groups.';

async function loadGroup(tx: TxCtx, slug: string, options: { lock?: boolean } = {}): Promise<GroupRow> {
	let query = tx.db.selectFrom('group').selectAll().where('slug', '=', slug.toLowerCase());
	// FOR NO KEY UPDATE serializes the chair-count checks without blocking inserts that reference the group.
	if (options.lock) query = query.forNoKeyUpdate();
	const group = await query.executeTakeFirst();
	if (!group) throw notFound('The group');
	return group;
}

async function membershipRow(db: Executor, groupId: number, memberId: number, options: { lock?: boolean } = {}): Promise<GroupMembershipRow | null> {
	let query = db.selectFrom('group_membership').selectAll().where('group_id', '=', groupId).where('member_id', '=', memberId);
	if (options.lock) query = query.forUpdate();
	return (await query.executeTakeFirst()) ?? null;
}

async function memberByHandle(db: Executor, handle: string) {
	return db
		.selectFrom('member')
		.select(['id', 'handle', 'display_name'])
		.where((eb) => eb(eb.fn('lower', ['handle']), '=', handle.trim().toLowerCase()))
		.executeTakeFirst();
}

async function targetMember(db: Executor, handle: string) {
	const member = await memberByHandle(db, handle);
	if (!member) throw notFound(`A member with the handle @${handle}`);
	return member;
}

async function otherActiveChairs(db: Executor, groupId: number, exceptMemberId: number): Promise<number> {
	const { count } = await db
		.selectFrom('group_membership')
		.select((eb) => eb.fn.countAll<number>().as('count'))
		.where('group_id', '=', groupId)
		.where('state', '=', 'active')
		.where('role', '=', 'chair')
		.where('member_id', '!=', exceptMemberId)
		.executeTakeFirstOrThrow();
	return Number(count);
}

async function insertMembership(
	tx: TxCtx,
	values: { groupId: number; memberId: number; role: GroupRole; state: MembershipState; message?: string; invitedBy?: number | null },
	onDuplicate: () => Error
): Promise<void> {
	const now = tx.now();
	try {
		await tx.db
			.insertInto('group_membership')
			.values({
				group_id: values.groupId,
				member_id: values.memberId,
				role: values.role,
				state: values.state,
				message: values.message ?? '',
				invited_by: values.invitedBy ?? null,
				created_at: now,
				updated_at: now
			})
			.execute();
	} catch (error) {
		if (isUniqueViolation(error, MEMBERSHIP_PKEY)) throw onDuplicate();
		throw error;
	}
}

/** Turns a pending row (requested or invited) into an active membership; false if it was no longer pending. */
async function activate(tx: TxCtx, groupId: number, memberId: number, from: MembershipState): Promise<boolean> {
	const result = await tx.db
		.updateTable('group_membership')
		.set({ state: 'active', message: '', updated_at: tx.now() })
		.where('group_id', '=', groupId)
		.where('member_id', '=', memberId)
		.where('state', '=', from)
		.executeTakeFirst();
	return Number(result.numUpdatedRows) === 1;
}

async function membershipOut(tx: TxCtx, groupId: number, memberId: number): Promise<GroupMembership> {
	const membership = await getMembership(tx.db, groupId, memberId);
	if (!membership) throw new Error(`membership ${groupId}/${memberId} vanished inside its own transaction`);
	return membership;
}

const activity = (tx: TxCtx, group: GroupRow, action: string, data: Record<string, unknown> = {}) =>
	recordActivity(tx, { action: `group.${action}`, subjectType: 'group', subjectId: group.id, groupId: group.id, data });

const alreadyMember = (handle?: string) =>
	handle
		? conflict(`@${handle} is already a member of this group.`, { handle: `@${handle} is already a member.` })
		: conflict('You are already a member of this group.');

// ---------------------------------------------------------------------------------------------------
// The group itself

/** Creates a group; the administrator who creates it becomes its first chair. */
export async function createGroup(ctx: Ctx, input: CreateGroupInput): Promise<Group> {
	const actor = requireActor(ctx, SIGN_IN);
	if (!mayCreateGroup(actor)) throw forbidden('Only site administrators create groups.');
	const data = parseInput(createGroupInput, input);
	return inTransaction(ctx, async (tx) => {
		const now = tx.now();
		let row: GroupRow;
		try {
			row = await tx.db
				.insertInto('group')
				.values({
					slug: data.slug,
					name: data.name,
					kind: data.kind,
					visibility: data.visibility,
					summary: data.summary,
					charter: data.charter,
					created_by: actor.memberId,
					created_at: now,
					updated_at: now
				})
				.returningAll()
				.executeTakeFirstOrThrow();
		} catch (error) {
			if (isUniqueViolation(error, 'group_slug_key')) {
				throw conflict('Another group has that address.', { slug: `/groups/${data.slug} is taken; choose another address.` });
			}
			throw error;
		}
		await insertMembership(tx, { groupId: row.id, memberId: actor.memberId, role: 'chair', state: 'active' }, () => alreadyMember());
		await activity(tx, row, 'created', { slug: row.slug, name: row.name, kind: row.kind, visibility: row.visibility });
		return toGroup(row);
	});
}

/** Changes the name, kind, visibility, summary or charter; chairs and administrators. */
export async function updateGroup(ctx: Ctx, slug: string, input: UpdateGroupInput): Promise<Group> {
	const actor = requireActor(ctx, SIGN_IN);
	return inTransaction(ctx, async (tx) => {
		const group = await loadGroup(tx, slug, { lock: true });
		const mine = await membershipRow(tx.db, group.id, actor.memberId);
		if (!mayUpdateGroup(actor, group, mine)) throw forbidden("Only the group's chairs edit the group.");
		const data = parseInput(updateGroupInput, input);
		const changes = Object.fromEntries(Object.entries(data).filter(([key, value]) => value !== undefined && value !== group[key as keyof GroupRow])) as Partial<
			Pick<GroupRow, 'name' | 'kind' | 'visibility' | 'summary' | 'charter'>
		>;
		if (Object.keys(changes).length === 0) return toGroup(group);
		const row = await tx.db
			.updateTable('group')
			.set({ ...changes, updated_at: tx.now() })
			.where('id', '=', group.id)
			.returningAll()
			.executeTakeFirstOrThrow();
		const changed = Object.keys(changes);
		await activity(tx, row, 'updated', {
			changed,
			...(changes.visibility ? { visibility: { from: group.visibility, to: changes.visibility } } : {})
		});
		return toGroup(row);
	});
}

// ---------------------------------------------------------------------------------------------------
// Joining

/**
 * Joins an open group at once. A pending invitation or request for the same group is taken as the
 * member's yes and becomes the membership.
 */
export async function joinOpenGroup(ctx: Ctx, slug: string): Promise<GroupMembership> {
	const actor = requireActor(ctx, SIGN_IN);
	return inTransaction(ctx, async (tx) => {
		const group = await loadGroup(tx, slug);
		const mine = await membershipRow(tx.db, group.id, actor.memberId, { lock: true });
		if (!mayJoinOpenGroup(actor, group, mine)) throw forbidden('This group is closed: ask to join, and a chair or moderator will answer.');
		if (mine?.state === 'active') throw alreadyMember();
		if (mine) {
			if (!(await activate(tx, group.id, actor.memberId, mine.state))) throw alreadyMember();
		} else {
			await insertMembership(tx, { groupId: group.id, memberId: actor.memberId, role: 'member', state: 'active' }, () => alreadyMember());
		}
		await activity(tx, group, 'joined', { member: actor.handle, memberId: actor.memberId, ...(mine ? { was: mine.state } : {}) });
		return membershipOut(tx, group.id, actor.memberId);
	});
}

/**
 * Asks to join a closed group, with an optional message to its chairs. If a chair has already invited
 * the member, asking is taken as accepting.
 */
export async function requestToJoin(ctx: Ctx, slug: string, input: RequestToJoinInput = {}): Promise<GroupMembership> {
	const actor = requireActor(ctx, SIGN_IN);
	return inTransaction(ctx, async (tx) => {
		const group = await loadGroup(tx, slug);
		const mine = await membershipRow(tx.db, group.id, actor.memberId, { lock: true });
		if (!mayRequestToJoin(actor, group, mine)) throw forbidden('This group is open: join it directly.');
		const data = parseInput(requestToJoinInput, input);
		if (mine?.state === 'active') throw alreadyMember();
		if (mine?.state === 'requested') throw conflict('You have already asked to join; a chair or moderator will answer.');
		if (mine?.state === 'invited') {
			if (!(await activate(tx, group.id, actor.memberId, 'invited'))) throw alreadyMember();
			await activity(tx, group, 'invitation_accepted', { member: actor.handle, memberId: actor.memberId });
			return membershipOut(tx, group.id, actor.memberId);
		}
		await insertMembership(tx, { groupId: group.id, memberId: actor.memberId, role: 'member', state: 'requested', message: data.message }, () =>
			conflict('You have already asked to join; a chair or moderator will answer.')
		);
		await activity(tx, group, 'join_requested', { member: actor.handle, memberId: actor.memberId, message: data.message });
		return membershipOut(tx, group.id, actor.memberId);
	});
}

/** A chair or moderator (or an administrator) lets a requester in. */
export async function approveRequest(ctx: Ctx, slug: string, handle: string): Promise<GroupMembership> {
	const actor = requireActor(ctx, SIGN_IN);
	return inTransaction(ctx, async (tx) => {
		const group = await loadGroup(tx, slug);
		const mine = await membershipRow(tx.db, group.id, actor.memberId);
		if (!mayDecideRequests(actor, group, mine)) throw forbidden("Only the group's chairs and moderators answer requests to join.");
		const target = await targetMember(tx.db, handle);
		if (!(await activate(tx, group.id, target.id, 'requested'))) {
			const now = await membershipRow(tx.db, group.id, target.id);
			if (now?.state === 'active') throw conflict(`@${target.handle} is already a member; the request was answered.`);
			throw notFound(`A request to join from @${target.handle}`);
		}
		await activity(tx, group, 'request_approved', { member: target.handle, memberId: target.id });
		return membershipOut(tx, group.id, target.id);
	});
}

/** A chair or moderator (or an administrator) turns a request down; the member may ask again later. */
export async function declineRequest(ctx: Ctx, slug: string, handle: string): Promise<void> {
	const actor = requireActor(ctx, SIGN_IN);
	await inTransaction(ctx, async (tx) => {
		const group = await loadGroup(tx, slug);
		const mine = await membershipRow(tx.db, group.id, actor.memberId);
		if (!mayDecideRequests(actor, group, mine)) throw forbidden("Only the group's chairs and moderators answer requests to join.");
		const target = await targetMember(tx.db, handle);
		const deleted = await tx.db
			.deleteFrom('group_membership')
			.where('group_id', '=', group.id)
			.where('member_id', '=', target.id)
			.where('state', '=', 'requested')
			.executeTakeFirst();
		if (Number(deleted.numDeletedRows) !== 1) throw notFound(`A request to join from @${target.handle}`);
		await activity(tx, group, 'request_declined', { member: target.handle, memberId: target.id });
	});
}

// ---------------------------------------------------------------------------------------------------
// Invitations

/**
 * A chair (or an administrator) invites a member by handle. If that member had already asked to join,
 * the two wishes meet and they become a member at once.
 */
export async function invite(ctx: Ctx, slug: string, input: InviteInput): Promise<GroupMembership> {
	const actor = requireActor(ctx, SIGN_IN);
	return inTransaction(ctx, async (tx) => {
		const group = await loadGroup(tx, slug);
		const mine = await membershipRow(tx.db, group.id, actor.memberId);
		if (!mayInvite(actor, group, mine)) throw forbidden("Only the group's chairs invite members.");
		const data = parseInput(inviteInput, input);
		const target = await memberByHandle(tx.db, data.handle);
		if (!target) throw invalid({ handle: `No member has the handle @${data.handle}.` }, `No member has the handle @${data.handle}.`);
		const theirs = await membershipRow(tx.db, group.id, target.id, { lock: true });
		if (theirs?.state === 'active') throw alreadyMember(target.handle);
		if (theirs?.state === 'invited') throw conflict(`@${target.handle} is already invited.`, { handle: `@${target.handle} is already invited.` });
		if (theirs?.state === 'requested') {
			if (!(await activate(tx, group.id, target.id, 'requested'))) throw alreadyMember(target.handle);
			await activity(tx, group, 'request_approved', { member: target.handle, memberId: target.id });
			return membershipOut(tx, group.id, target.id);
		}
		await insertMembership(
			tx,
			{ groupId: group.id, memberId: target.id, role: 'member', state: 'invited', message: data.message, invitedBy: actor.memberId },
			() => conflict(`@${target.handle} is already invited or a member.`, { handle: `@${target.handle} is already invited or a member.` })
		);
		await activity(tx, group, 'invited', { member: target.handle, memberId: target.id });
		return membershipOut(tx, group.id, target.id);
	});
}

/** The invitee says yes. */
export async function acceptInvitation(ctx: Ctx, slug: string): Promise<GroupMembership> {
	const actor = requireActor(ctx, SIGN_IN);
	return inTransaction(ctx, async (tx) => {
		const group = await loadGroup(tx, slug);
		const mine = await membershipRow(tx.db, group.id, actor.memberId, { lock: true });
		if (!mayRespondToInvitation(actor, mine)) {
			if (mine?.state === 'active') throw alreadyMember();
			throw notFound('An invitation for you to this group');
		}
		if (!(await activate(tx, group.id, actor.memberId, 'invited'))) throw notFound('An invitation for you to this group');
		await activity(tx, group, 'invitation_accepted', { member: actor.handle, memberId: actor.memberId });
		return membershipOut(tx, group.id, actor.memberId);
	});
}

/** The invitee says no; the invitation is gone. */
export async function declineInvitation(ctx: Ctx, slug: string): Promise<void> {
	const actor = requireActor(ctx, SIGN_IN);
	await inTransaction(ctx, async (tx) => {
		const group = await loadGroup(tx, slug);
		const mine = await membershipRow(tx.db, group.id, actor.memberId, { lock: true });
		if (!mayRespondToInvitation(actor, mine)) throw notFound('An invitation for you to this group');
		await tx.db
			.deleteFrom('group_membership')
			.where('group_id', '=', group.id)
			.where('member_id', '=', actor.memberId)
			.where('state', '=', 'invited')
			.execute();
		await activity(tx, group, 'invitation_declined', { member: actor.handle, memberId: actor.memberId });
	});
}

// ---------------------------------------------------------------------------------------------------
// Leaving, roles, removal

const lastChair = (who: 'you' | string) =>
	conflict(
		who === 'you'
			? "You are this group's only chair. Make another member chair first, so the group is not left without one."
			: `@${who} is this group's only chair. Make another member chair first, so the group is not left without one.`
	);

/**
 * Leaves a group; also withdraws one's own request or declines one's own invitation. The last chair
 * cannot leave.
 */
export async function leaveGroup(ctx: Ctx, slug: string): Promise<void> {
	const actor = requireActor(ctx, SIGN_IN);
	await inTransaction(ctx, async (tx) => {
		const group = await loadGroup(tx, slug, { lock: true });
		const mine = await membershipRow(tx.db, group.id, actor.memberId, { lock: true });
		if (!mine || !mayLeave(actor, mine)) throw notFound('Your membership of this group');
		if (mine.state === 'active' && mine.role === 'chair' && (await otherActiveChairs(tx.db, group.id, actor.memberId)) === 0) throw lastChair('you');
		await tx.db.deleteFrom('group_membership').where('group_id', '=', group.id).where('member_id', '=', actor.memberId).execute();
		const action = mine.state === 'active' ? 'left' : mine.state === 'requested' ? 'request_withdrawn' : 'invitation_declined';
		await activity(tx, group, action, { member: actor.handle, memberId: actor.memberId, ...(mine.state === 'active' ? { role: mine.role } : {}) });
	});
}

/** A chair (or an administrator) makes an active member chair, moderator or member. A group keeps at least one chair. */
export async function setRole(ctx: Ctx, slug: string, handle: string, input: SetRoleInput): Promise<GroupMembership> {
	const actor = requireActor(ctx, SIGN_IN);
	return inTransaction(ctx, async (tx) => {
		const group = await loadGroup(tx, slug, { lock: true });
		const mine = await membershipRow(tx.db, group.id, actor.memberId);
		if (!maySetRoles(actor, group, mine)) throw forbidden("Only the group's chairs change roles.");
		const { role } = parseInput(setRoleInput, input);
		const target = await targetMember(tx.db, handle);
		const theirs = await membershipRow(tx.db, group.id, target.id, { lock: true });
		if (theirs?.state !== 'active') throw notFound(`@${target.handle} as a member of this group`);
		if (theirs.role === role) return membershipOut(tx, group.id, target.id);
		if (theirs.role === 'chair' && (await otherActiveChairs(tx.db, group.id, target.id)) === 0) {
			throw lastChair(target.id === actor.memberId ? 'you' : target.handle);
		}
		await tx.db
			.updateTable('group_membership')
			.set({ role, updated_at: tx.now() })
			.where('group_id', '=', group.id)
			.where('member_id', '=', target.id)
			.execute();
		await activity(tx, group, 'role_set', { member: target.handle, memberId: target.id, from: theirs.role, to: role });
		return membershipOut(tx, group.id, target.id);
	});
}

/**
 * A chair (or an administrator) removes a member, or withdraws an invitation. The last chair cannot be
 * removed. (Requests are answered with declineRequest.)
 */
export async function removeMember(ctx: Ctx, slug: string, handle: string): Promise<void> {
	const actor = requireActor(ctx, SIGN_IN);
	await inTransaction(ctx, async (tx) => {
		const group = await loadGroup(tx, slug, { lock: true });
		const mine = await membershipRow(tx.db, group.id, actor.memberId);
		if (!mayRemoveMembers(actor, group, mine)) throw forbidden("Only the group's chairs remove members.");
		const target = await targetMember(tx.db, handle);
		const theirs = await membershipRow(tx.db, group.id, target.id, { lock: true });
		if (!theirs || theirs.state === 'requested') throw notFound(`@${target.handle} as a member of this group`);
		if (theirs.state === 'active' && theirs.role === 'chair' && (await otherActiveChairs(tx.db, group.id, target.id)) === 0) {
			throw lastChair(target.id === actor.memberId ? 'you' : target.handle);
		}
		await tx.db.deleteFrom('group_membership').where('group_id', '=', group.id).where('member_id', '=', target.id).execute();
		await activity(tx, group, theirs.state === 'invited' ? 'invitation_withdrawn' : 'member_removed', {
			member: target.handle,
			memberId: target.id,
			...(theirs.state === 'active' ? { role: theirs.role } : {})
		});
	});
}

/**
 * The API's one "join" door: an open group is joined at once, a closed group gets a request, and a
 * pending invitation is accepted either way.
 */
export async function joinOrRequest(ctx: Ctx, slug: string, input: RequestToJoinInput = {}): Promise<GroupMembership> {
	requireActor(ctx, SIGN_IN);
	const group = await ctx.db.selectFrom('group').select(['visibility']).where('slug', '=', slug.toLowerCase()).executeTakeFirst();
	if (!group) throw notFound('The group');
	return group.visibility === 'open' ? joinOpenGroup(ctx, slug) : requestToJoin(ctx, slug, input);
}

/**
 * The API's one "end a membership" door: with the actor's own handle it leaves (or withdraws the
 * request, or declines the invitation); with another member's it removes them (chairs).
 */
export async function endMembership(ctx: Ctx, slug: string, handle: string): Promise<void> {
	const actor = requireActor(ctx, SIGN_IN);
	if (handle.trim().toLowerCase() === actor.handle.toLowerCase()) return leaveGroup(ctx, slug);
	return removeMember(ctx, slug, handle);
}
