import { recordActivity } from '#lib/server/platform/activity.ts';
import { inTransaction, requireActor, type Actor, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import { AppError, conflict, forbidden, isUniqueViolation, notFound, parseInput } from '#lib/server/platform/errors.ts';
import { notify } from '#lib/server/platform/notifications.ts';
import { loadNeedAccess, needFacts, needFollowers, readersAmong, type NeedAccess } from '#lib/server/modules/needs/index.ts';
import { findMemberRefByHandle } from '#lib/server/modules/members/index.ts';
import { mayLinkChanges, mayRemoveChampion, mayVolunteer } from './champions.policy.ts';
import { toChampion, type Champion, type UpstreamChange } from './champions.model.ts';
import { findUpstreamChange, standingOf } from './champions.queries.ts';
import {
	changeStateInput,
	linkChangeInput,
	removeChampionInput,
	volunteerInput,
	type ChangeStateInput,
	type LinkChangeInput,
	type RemoveChampionInput,
	type VolunteerInput
} from './champions.schemas.ts';
import type { ChampionRole, NeedChampionRow, UpstreamChangeRow } from './champions.tables.ts';
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
 * `conflict` (withdraw first to change roles).
 */
export async function volunteer(ctx: Ctx, needId: number, input: VolunteerInput): Promise<Champion> {
	const actor = requireActor(ctx, 'Sign in to champion a need.');
	const data = parseInput(volunteerInput, input);
	return inTransaction(ctx, async (tx) => {
		const access = await loadNeedAccess(tx, needId);
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
				.values({ need_id: needId, member_id: actor.memberId, role: data.role, note: data.note, created_at: tx.now() })
				.returningAll()
				.executeTakeFirstOrThrow();
		} catch (error) {
			if (isUniqueViolation(error, 'need_champion_active_key'))
				throw conflict('You already stand for this need.', { role: 'You already stand for this need.' });
			throw error;
		}
		const followers = await needFollowers(tx.db, needId);
		const told = (await readersAmong(tx.db, access, followers)).filter((id) => id !== actor.memberId);
		await notify(tx, told, {
			kind: 'need.champion_joined',
			subjectType: 'need',
			subjectId: needId,
			data: { needId, title: access.need.title, role: data.role, handle: actor.handle, displayName: actor.displayName }
		});
		await activity(tx, access.need, 'champion_joined', { role: data.role, memberId: actor.memberId, note: data.note, notified: told.length });
		return toChampion(row);
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
