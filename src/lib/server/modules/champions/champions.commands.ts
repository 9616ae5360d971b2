import { recordActivity } from '#lib/server/platform/activity.ts';
import { inTransaction, requireActor, type Actor, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import { AppError, conflict, forbidden, invalid, isUniqueViolation, notFound, parseInput } from '#lib/server/platform/errors.ts';
import { notify } from '#lib/server/platform/notifications.ts';
import { loadNeedAccess, needFacts, needFollowers, readersAmong, type NeedAccess } from '#lib/server/modules/needs/index.ts';
import { findMemberRefByHandle } from '#lib/server/modules/members/index.ts';
import { findMembership } from '#lib/server/modules/groups/index.ts';
import { mayBeInvited, mayInviteChampions, mayLinkChanges, mayManageInvitations, mayRemoveChampion, mayVolunteer } from './champions.policy.ts';
import { toChampion, type Champion, type ChampionInvitation, type UpstreamChange } from './champions.model.ts';
import { findInvitation, findUpstreamChange, standingOf } from './champions.queries.ts';
import {
	acceptInvitationInput,
	changeStateInput,
	inviteChampionInput,
	linkChangeInput,
	removeChampionInput,
	volunteerInput,
	type AcceptInvitationInput,
	type ChangeStateInput,
	type InviteChampionInput,
	type LinkChangeInput,
	type RemoveChampionInput,
	type VolunteerInput
} from './champions.schemas.ts';
import type { ChampionInvitationRow, ChampionRole, NeedChampionRow, UpstreamChangeRow } from './champions.tables.ts';
import { changeLabel } from './champions.urls.ts';

/*
 * Champions, sponsors and the upstream changes they link. Each command authorizes, validates, writes and
 * records the event in the audit log (`activity`, subject the need, so a closed group's events stay with
 * it), in one transaction. Unique indexes are the locks: one standing role per member and need, one link
 * per need and address.
 */

export const ROLE_LABELS: Readonly<Record<ChampionRole, string>> = { champion: 'champion', sponsor: 'sponsor' };

const activity = (tx: TxCtx, need: NeedAccess['need'], action: string, data: Record<string, unknown>) =>
	recordActivity(tx, { action: `need.${action}`, subjectType: 'need', subjectId: need.id, groupId: need.group_id, data });

const closedNeedMessage = (access: NeedAccess) =>
	access.need.hidden_at
		? 'This need is hidden.'
		: ['delivered', 'declined', 'duplicate'].includes(access.need.status)
			? `This need is ${access.need.status === 'duplicate' ? 'merged into another need; champion that one' : access.need.status}.`
			: access.group?.visibility === 'closed'
				? 'Only members of this closed group champion or sponsor its needs.'
				: 'You may not champion this need.';

/**
 * Volunteers the actor as champion or sponsor of a need. The need's followers who may read it are told
 * (kind `need.champion_joined`). A member holds one standing role per need: volunteering again answers
 * `conflict` (withdraw first to change roles). An open invitation to the actor is answered by it (accepted).
 */
export async function volunteer(ctx: Ctx, needId: number, input: VolunteerInput): Promise<Champion> {
	const actor = requireActor(ctx, 'Sign in to champion a need.');
	const data = parseInput(volunteerInput, input);
	return inTransaction(ctx, async (tx) => {
		const access = await loadNeedAccess(tx, needId);
		return stand(tx, actor, access, data.role, data.note);
	});
}

/**
 * The actor stands as `role` on the need, the one way for volunteering and accepting an invitation: the
 * policy, one standing role per member and need, the followers told, the audit entry; and the actor's open
 * invitation to the need, if any, marked accepted, its asker told.
 */
async function stand(tx: TxCtx, actor: Actor, access: NeedAccess, role: ChampionRole, note: string): Promise<Champion> {
	const needId = access.need.id;
	if (!mayVolunteer(actor, needFacts(access.need), access.group, access.membership)) {
		const message = closedNeedMessage(access);
		throw access.need.hidden_at || access.group?.visibility === 'closed' ? forbidden(message) : conflict(message);
	}
	const existing = await standingOf(tx.db, needId, actor.memberId);
	if (existing)
		throw conflict(`You are already this need’s ${ROLE_LABELS[existing.role]}; withdraw first to change.`, { role: 'You already stand for this need.' });
	let row: NeedChampionRow;
	try {
		// Two requests racing past the check above meet at the unique index.
		row = await tx.db
			.insertInto('need_champion')
			.values({ need_id: needId, member_id: actor.memberId, role, note, created_at: tx.now() })
			.returningAll()
			.executeTakeFirstOrThrow();
	} catch (error) {
		if (isUniqueViolation(error, 'need_champion_active_key')) throw conflict('You already stand for this need.', { role: 'You already stand for this need.' });
		throw error;
	}
	const invitation = await answerInvitation(tx, access, actor, 'accepted');
	const followers = await needFollowers(tx.db, needId);
	// The asker hears the answer from the invitation's own notice, not twice.
	const told = (await readersAmong(tx.db, access, followers)).filter((id) => id !== actor.memberId && id !== invitation?.invited_by);
	await notify(tx, told, {
		kind: 'need.champion_joined',
		subjectType: 'need',
		subjectId: needId,
		data: { needId, title: access.need.title, role, handle: actor.handle, displayName: actor.displayName }
	});
	await activity(tx, access.need, 'champion_joined', {
		role,
		memberId: actor.memberId,
		note,
		notified: told.length,
		...(invitation ? { invitationId: invitation.id } : {})
	});
	return toChampion(row);
}

// ---------------------------------------------------------------------------------------------------
// Invitations: a need's moderators ask a member to champion or sponsor it.

const pendingInvitation = (tx: TxCtx, needId: number, memberId: number) =>
	tx.db
		.selectFrom('champion_invitation')
		.selectAll()
		.where('need_id', '=', needId)
		.where('member_id', '=', memberId)
		.where('state', '=', 'pending')
		.forUpdate()
		.executeTakeFirst();

/**
 * Ends the actor's open invitation to the need, if any, as accepted or declined: recorded in the audit log,
 * and its asker told (`need.champion_invitation_answered`) if they may still read the need.
 */
async function answerInvitation(tx: TxCtx, access: NeedAccess, actor: Actor, answer: 'accepted' | 'declined'): Promise<ChampionInvitationRow | undefined> {
	const row = await tx.db
		.updateTable('champion_invitation')
		.set({ state: answer, answered_at: tx.now(), answered_by: actor.memberId })
		.where('need_id', '=', access.need.id)
		.where('member_id', '=', actor.memberId)
		.where('state', '=', 'pending')
		.returningAll()
		.executeTakeFirst();
	if (!row) return undefined;
	const asker = row.invited_by !== null && row.invited_by !== actor.memberId ? await readersAmong(tx.db, access, [row.invited_by]) : [];
	await notify(tx, asker, {
		kind: 'need.champion_invitation_answered',
		subjectType: 'need',
		subjectId: access.need.id,
		data: { needId: access.need.id, title: access.need.title, role: row.role, answer, handle: actor.handle, displayName: actor.displayName }
	});
	await activity(tx, access.need, `champion_invitation_${answer}`, {
		invitationId: row.id,
		role: row.role,
		memberId: actor.memberId
	});
	return row;
}

/** The invitation as the command leaves it, read in the command's transaction. */
async function invitationOut(tx: TxCtx, invitationId: number): Promise<ChampionInvitation> {
	const invitation = await findInvitation(tx.db, invitationId);
	if (!invitation) throw new Error(`invitation ${invitationId} vanished inside its own transaction`);
	return invitation;
}

/**
 * A need's moderator asks a member (by handle) to champion or sponsor it; the member is told
 * (`need.champion_invited`) and answers on the need's page. Refused: a hidden or closed need (`conflict`),
 * an actor who does not moderate it (`forbidden`), and, as field errors on `handle`, a handle nobody has,
 * the actor themselves, and a member who could not volunteer for it — for a closed group's need, anyone but
 * its members; the asker moderates the group and sees its members, so saying so tells them nothing new.
 * One open invitation per member and need (`conflict`), none to someone who already stands for it.
 */
export async function inviteChampion(ctx: Ctx, needId: number, input: InviteChampionInput): Promise<ChampionInvitation> {
	const actor = requireActor(ctx, 'Sign in first.');
	const data = parseInput(inviteChampionInput, input);
	return inTransaction(ctx, async (tx) => {
		const access = await loadNeedAccess(tx, needId);
		const facts = needFacts(access.need);
		if (!mayInviteChampions(actor, facts, access.group, access.membership)) {
			if (!mayManageInvitations(actor, facts, access.group, access.membership))
				throw forbidden('Only the group’s chairs and moderators ask members to champion its needs.');
			throw conflict(closedNeedMessage(access));
		}
		const member = await findMemberRefByHandle(tx.db, data.handle);
		if (!member) throw invalid({ handle: 'No member has that handle.' });
		if (member.id === actor.memberId) throw invalid({ handle: 'That is you: volunteer instead.' });
		const membership = access.group ? ((await findMembership(tx.db, access.group.id, member.id)) ?? null) : null;
		if (!mayBeInvited(facts, access.group, membership)) {
			throw invalid({ handle: `Only members of this closed group champion its needs, and @${member.handle} is not one.` });
		}
		const standing = await standingOf(tx.db, needId, member.id);
		if (standing) throw conflict(`@${member.handle} is already this need’s ${ROLE_LABELS[standing.role]}.`, { handle: 'They already stand for this need.' });
		const asked = { handle: `@${member.handle} is already asked; withdraw that invitation first to ask again.` };
		if (await pendingInvitation(tx, needId, member.id)) throw conflict(asked.handle, asked);
		const row = await tx.db
			.insertInto('champion_invitation')
			.values({ need_id: needId, member_id: member.id, role: data.role, note: data.note, invited_by: actor.memberId, created_at: tx.now() })
			.returning('id')
			.executeTakeFirstOrThrow()
			.catch((error: unknown) => {
				// Two moderators asking at once meet at the unique index.
				if (isUniqueViolation(error, 'champion_invitation_pending_key')) throw conflict(asked.handle, asked);
				throw error;
			});
		await notify(tx, [member.id], {
			kind: 'need.champion_invited',
			subjectType: 'need',
			subjectId: needId,
			data: { needId, title: access.need.title, role: data.role, note: data.note, handle: actor.handle, displayName: actor.displayName }
		});
		await activity(tx, access.need, 'champion_invited', { invitationId: row.id, memberId: member.id, handle: member.handle, role: data.role, note: data.note });
		return invitationOut(tx, row.id);
	});
}

/**
 * The actor accepts their open invitation to the need and stands in the role asked, exactly as
 * volunteering would (the same policy, the followers told), with an optional note.
 */
export async function acceptInvitation(ctx: Ctx, needId: number, input: AcceptInvitationInput = {}): Promise<Champion> {
	const actor = requireActor(ctx, 'Sign in first.');
	const data = parseInput(acceptInvitationInput, input);
	return inTransaction(ctx, async (tx) => {
		const access = await loadNeedAccess(tx, needId);
		const invitation = await pendingInvitation(tx, needId, actor.memberId);
		if (!invitation) throw conflict('You have no open invitation to this need.');
		return stand(tx, actor, access, invitation.role, data.note);
	});
}

/** The actor declines their open invitation to the need; the asker is told. */
export async function declineInvitation(ctx: Ctx, needId: number): Promise<ChampionInvitation> {
	const actor = requireActor(ctx, 'Sign in first.');
	return inTransaction(ctx, async (tx) => {
		const access = await loadNeedAccess(tx, needId);
		const row = await answerInvitation(tx, access, actor, 'declined');
		if (!row) throw conflict('You have no open invitation to this need.');
		return invitationOut(tx, row.id);
	});
}

/** A need's moderator withdraws the open invitation to the member with this handle. */
export async function withdrawInvitation(ctx: Ctx, needId: number, handle: string): Promise<ChampionInvitation> {
	const actor = requireActor(ctx, 'Sign in first.');
	return inTransaction(ctx, async (tx) => {
		const access = await loadNeedAccess(tx, needId);
		if (!mayManageInvitations(actor, needFacts(access.need), access.group, access.membership)) {
			throw forbidden('Only the group’s chairs and moderators withdraw an invitation.');
		}
		const member = typeof handle === 'string' ? await findMemberRefByHandle(tx.db, handle.replace(/^@/, '')) : undefined;
		const row = member
			? await tx.db
					.updateTable('champion_invitation')
					.set({ state: 'withdrawn', answered_at: tx.now(), answered_by: actor.memberId })
					.where('need_id', '=', needId)
					.where('member_id', '=', member.id)
					.where('state', '=', 'pending')
					.returningAll()
					.executeTakeFirst()
			: undefined;
		if (!member || !row) throw notFound('That invitation');
		await activity(tx, access.need, 'champion_invitation_withdrawn', { invitationId: row.id, memberId: row.member_id, handle: member.handle, role: row.role });
		return invitationOut(tx, row.id);
	});
}

/** Ends the actor's own standing role on the need. */
export async function withdraw(ctx: Ctx, needId: number): Promise<Champion> {
	const actor = requireActor(ctx, 'Sign in first.');
	return inTransaction(ctx, async (tx) => {
		const access = await loadNeedAccess(tx, needId);
		const row = await tx.db
			.updateTable('need_champion')
			.set({ ended_at: tx.now(), ended_by: actor.memberId })
			.where('need_id', '=', needId)
			.where('member_id', '=', actor.memberId)
			.where('ended_at', 'is', null)
			.returningAll()
			.executeTakeFirst();
		if (!row) throw conflict('You do not champion or sponsor this need.');
		await activity(tx, access.need, 'champion_withdrew', { role: row.role, memberId: actor.memberId });
		return toChampion(row);
	});
}

/** A moderator of the need ends someone's standing role, with a reason they are told. */
export async function removeChampion(ctx: Ctx, needId: number, handle: string, input: RemoveChampionInput): Promise<Champion> {
	const actor = requireActor(ctx, 'Sign in first.');
	const data = parseInput(removeChampionInput, input);
	return inTransaction(ctx, async (tx) => {
		const access = await loadNeedAccess(tx, needId);
		if (!mayRemoveChampion(actor, needFacts(access.need), access.group, access.membership)) {
			throw forbidden('Only the group’s chairs and moderators remove a champion or sponsor.');
		}
		const member = typeof handle === 'string' ? await findMemberRefByHandle(tx.db, handle) : undefined;
		const row = member
			? await tx.db
					.updateTable('need_champion')
					.set({ ended_at: tx.now(), ended_by: actor.memberId, end_reason: data.reason })
					.where('need_id', '=', needId)
					.where('member_id', '=', member.id)
					.where('ended_at', 'is', null)
					.returningAll()
					.executeTakeFirst()
			: undefined;
		if (!member || !row) throw notFound('That champion or sponsor');
		if (row.member_id !== actor.memberId) {
			await notify(tx, [row.member_id], {
				kind: 'need.champion_removed',
				subjectType: 'need',
				subjectId: needId,
				data: { needId, title: access.need.title, role: row.role, reason: data.reason }
			});
		}
		await activity(tx, access.need, 'champion_removed', { role: row.role, memberId: row.member_id, reason: data.reason });
		return toChampion(row);
	});
}

async function requireLinker(tx: TxCtx, actor: Actor, access: NeedAccess) {
	const standing = await standingOf(tx.db, access.need.id, actor.memberId);
	if (!mayLinkChanges(actor, needFacts(access.need), access.group, access.membership, standing?.role ?? null)) {
		throw forbidden(access.need.hidden_at ? 'This need is hidden.' : 'Only the need’s champions, sponsors and moderators link upstream changes.');
	}
}

/**
 * Links a review or pull/merge request to the need. The address must be a Gerrit change, a GitHub pull
 * request or a GitLab merge request (field error on `url` otherwise); it is stored in its normal form, so
 * the same change linked twice answers `conflict`.
 */
export async function linkChange(ctx: Ctx, needId: number, input: LinkChangeInput): Promise<UpstreamChange> {
	const actor = requireActor(ctx, 'Sign in first.');
	const data = parseInput(linkChangeInput, input);
	return inTransaction(ctx, async (tx) => {
		const access = await loadNeedAccess(tx, needId);
		await requireLinker(tx, actor, access);
		const ref = data.url;
		const duplicate = await tx.db.selectFrom('upstream_change').select('id').where('need_id', '=', needId).where('url', '=', ref.url).executeTakeFirst();
		if (duplicate) throw conflict(`${changeLabel(ref)} is already linked to this need.`, { url: 'This change is already linked.' });
		const now = tx.now();
		const row = await tx.db
			.insertInto('upstream_change')
			.values({
				need_id: needId,
				url: ref.url,
				forge: ref.forge,
				host: ref.host,
				project: ref.project,
				number: ref.number,
				state: data.state,
				added_by: actor.memberId,
				created_at: now,
				state_changed_at: now,
				state_changed_by: actor.memberId
			})
			.returningAll()
			.executeTakeFirstOrThrow()
			.catch((error: unknown) => {
				if (isUniqueViolation(error, 'upstream_change_need_url_key'))
					throw conflict(`${changeLabel(ref)} is already linked to this need.`, { url: 'This change is already linked.' });
				throw error;
			});
		await activity(tx, access.need, 'change_linked', { changeId: row.id, url: row.url, forge: row.forge, state: row.state });
		return changeOut(tx, row.id);
	});
}

/** The change as the command leaves it, read in the command's transaction. */
async function changeOut(tx: TxCtx, changeId: number): Promise<UpstreamChange> {
	const change = await findUpstreamChange(tx.db, changeId);
	if (!change) throw new Error(`upstream change ${changeId} vanished inside its own transaction`);
	return change;
}

async function loadChange(tx: TxCtx, changeId: number): Promise<{ change: UpstreamChangeRow; access: NeedAccess }> {
	if (!Number.isSafeInteger(changeId) || changeId <= 0) throw notFound('The upstream change');
	const change = await tx.db.selectFrom('upstream_change').selectAll().where('id', '=', changeId).forUpdate().executeTakeFirst();
	if (!change) throw notFound('The upstream change');
	let access: NeedAccess;
	try {
		access = await loadNeedAccess(tx, change.need_id);
	} catch (error) {
		// A change on a need the actor may not read does not exist for them either.
		if (error instanceof AppError && error.code === 'not_found') throw notFound('The upstream change');
		throw error;
	}
	return { change, access };
}

/** Sets a linked change's state (open, merged, abandoned); the same state again changes nothing. */
export async function setChangeState(ctx: Ctx, changeId: number, input: ChangeStateInput): Promise<UpstreamChange> {
	const actor = requireActor(ctx, 'Sign in first.');
	const data = parseInput(changeStateInput, input);
	return inTransaction(ctx, async (tx) => {
		const { change, access } = await loadChange(tx, changeId);
		await requireLinker(tx, actor, access);
		if (change.state === data.state) return changeOut(tx, change.id);
		const row = await tx.db
			.updateTable('upstream_change')
			.set({ state: data.state, state_changed_at: tx.now(), state_changed_by: actor.memberId })
			.where('id', '=', change.id)
			.returningAll()
			.executeTakeFirstOrThrow();
		await activity(tx, access.need, 'change_state_changed', { changeId: row.id, url: row.url, from: change.state, to: row.state });
		return changeOut(tx, row.id);
	});
}

/** Unlinks a change (linked by mistake, or the wrong one). */
export async function unlinkChange(ctx: Ctx, changeId: number): Promise<UpstreamChange> {
	const actor = requireActor(ctx, 'Sign in first.');
	return inTransaction(ctx, async (tx) => {
		const { change, access } = await loadChange(tx, changeId);
		await requireLinker(tx, actor, access);
		// Read before it goes: the answer describes the change that was unlinked.
		const unlinked = await changeOut(tx, change.id);
		await tx.db.deleteFrom('upstream_change').where('id', '=', change.id).execute();
		await activity(tx, access.need, 'change_unlinked', { changeId: change.id, url: change.url, state: change.state });
		return unlinked;
	});
}
