import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { followNeed, listMyNotifications } from '#lib/server/modules/needs/index.ts';
import { acceptInvitation, declineInvitation, inviteChampion, volunteer, withdrawInvitation } from './champions.commands.ts';
import { getNeedChampions } from './champions.queries.ts';

/*
 * A need's chairs and moderators ask a member to champion it; the member accepts or declines (issue 11).
 */

let t: TestDatabase;
let admin: MemberRow;
let chair: MemberRow;
let moderator: MemberRow;
let groupMember: MemberRow;
let outsider: MemberRow;
/** Chairs another closed group: a lead, but not of these needs. */
let otherChair: MemberRow;
let open: GroupRow;
let closed: GroupRow;
const clock = new TestClock();

beforeAll(async () => {
	t = await createTestDatabase();
	admin = await buildMember(t.db, { isAdmin: true });
	chair = await buildMember(t.db, { handle: 'cheryl-chair', displayName: 'Cheryl Chair' });
	moderator = await buildMember(t.db);
	groupMember = await buildMember(t.db, { handle: 'gus', displayName: 'Gus Member' });
	outsider = await buildMember(t.db, { handle: 'otis' });
	otherChair = await buildMember(t.db);
	open = await buildGroup(t.db, { chair });
	closed = await buildGroup(t.db, { chair, visibility: 'closed' });
	await buildGroup(t.db, { chair: otherChair, visibility: 'closed' });
	for (const g of [open, closed]) {
		await addMembership(t.db, g, moderator, { role: 'moderator' });
		await addMembership(t.db, g, groupMember);
	}
});
afterAll(() => t?.close());

const as = (who: MemberRow | null) => {
	clock.advance(1000);
	return ctxFor(t.db, who, clock);
};
const outcome = (promise: Promise<unknown>) =>
	promise.then(
		() => 'ok',
		(error: { code?: string }) => {
			if (!error.code) throw error;
			return error.code;
		}
	);
const failure = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(error: { code?: string; message?: string; fields?: Record<string, string> }) => {
			if (!error.code) throw error;
			return error;
		}
	);

type Role = 'visitor' | 'member' | 'groupMember' | 'moderator' | 'chair' | 'admin' | 'otherGroupChair';
const ROLES: Role[] = ['visitor', 'member', 'groupMember', 'moderator', 'chair', 'admin', 'otherGroupChair'];
const who = (role: Role): MemberRow | null => ({ visitor: null, member: outsider, groupMember, moderator, chair, admin, otherGroupChair: otherChair })[role];

const acceptedNeed = (group: GroupRow, options: Partial<{ published: boolean; status: 'accepted' | 'delivered' }> = {}) =>
	buildNeed(t.db, {
		group,
		status: options.status ?? 'accepted',
		title: `Need of ${group.visibility} group`,
		publishedAt: options.published ? new Date('2026-11-02T00:00:00Z') : undefined
	});

/** A member of both groups, asked in the matrix by whoever is tried. */
async function freshInvitee() {
	const m = await buildMember(t.db);
	await addMembership(t.db, open, m);
	await addMembership(t.db, closed, m);
	return m;
}

/** What the audit log holds for a need, in order. */
const events = async (needId: number) =>
	(
		await t.db
			.selectFrom('activity')
			.select(['action', 'group_id', 'actor_id', 'data'])
			.where('subject_type', '=', 'need')
			.where('subject_id', '=', needId)
			.orderBy('id')
			.execute()
	).map((e) => ({ action: e.action, groupId: e.group_id, actorId: e.actor_id, data: e.data }));

const notices = (needId: number, kind: string) =>
	t.db.selectFrom('notification').select(['member_id', 'data']).where('kind', '=', kind).where('subject_id', '=', needId).orderBy('id').execute();

describe('the authorization matrix', () => {
	const expected: Record<'open' | 'closed', Record<string, Record<Role, string>>> = {
		open: {
			// `role` asks a member of the group.
			invite: {
				visitor: 'unauthenticated',
				member: 'forbidden',
				groupMember: 'forbidden',
				moderator: 'ok',
				chair: 'ok',
				admin: 'ok',
				otherGroupChair: 'forbidden'
			},
			// `role` withdraws the chair's invitation.
			withdraw: {
				visitor: 'unauthenticated',
				member: 'forbidden',
				groupMember: 'forbidden',
				moderator: 'ok',
				chair: 'ok',
				admin: 'ok',
				otherGroupChair: 'forbidden'
			},
			// The chair (the moderator, when the chair is tried) asks `role`, who then accepts.
			asked: { visitor: '-', member: 'ok', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok', otherGroupChair: 'ok' },
			accept: { visitor: '-', member: 'ok', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok', otherGroupChair: 'ok' },
			// `role` tries to answer someone else's invitation.
			acceptOthers: {
				visitor: 'unauthenticated',
				member: 'conflict',
				groupMember: 'conflict',
				moderator: 'conflict',
				chair: 'conflict',
				admin: 'conflict',
				otherGroupChair: 'conflict'
			},
			declineOthers: {
				visitor: 'unauthenticated',
				member: 'conflict',
				groupMember: 'conflict',
				moderator: 'conflict',
				chair: 'conflict',
				admin: 'conflict',
				otherGroupChair: 'conflict'
			}
		},
		closed: {
			invite: {
				visitor: 'unauthenticated',
				member: 'not_found',
				groupMember: 'forbidden',
				moderator: 'ok',
				chair: 'ok',
				admin: 'ok',
				otherGroupChair: 'not_found'
			},
			withdraw: {
				visitor: 'unauthenticated',
				member: 'not_found',
				groupMember: 'forbidden',
				moderator: 'ok',
				chair: 'ok',
				admin: 'ok',
				otherGroupChair: 'not_found'
			},
			// Only the group's own members may be asked: anyone else is a field error on the handle.
			asked: {
				visitor: '-',
				member: 'invalid_input',
				groupMember: 'ok',
				moderator: 'ok',
				chair: 'ok',
				admin: 'invalid_input',
				otherGroupChair: 'invalid_input'
			},
			accept: { visitor: '-', member: '-', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: '-', otherGroupChair: '-' },
			acceptOthers: {
				visitor: 'unauthenticated',
				member: 'not_found',
				groupMember: 'conflict',
				moderator: 'conflict',
				chair: 'conflict',
				admin: 'conflict',
				otherGroupChair: 'not_found'
			},
			declineOthers: {
				visitor: 'unauthenticated',
				member: 'not_found',
				groupMember: 'conflict',
				moderator: 'conflict',
				chair: 'conflict',
				admin: 'conflict',
				otherGroupChair: 'not_found'
			}
		}
	};

	for (const kind of ['open', 'closed'] as const) {
		for (const role of ROLES) {
			it(`${role} in a${kind === 'open' ? 'n' : ''} ${kind} group`, async () => {
				const group = kind === 'open' ? open : closed;
				const actual: Record<string, string> = {};

				let need = await acceptedNeed(group);
				actual.invite = await outcome(inviteChampion(as(who(role)), need.id, { handle: (await freshInvitee()).handle }));

				need = await acceptedNeed(group);
				let invitee = await freshInvitee();
				await inviteChampion(as(chair), need.id, { handle: invitee.handle });
				actual.withdraw = await outcome(withdrawInvitation(as(who(role)), need.id, invitee.handle));

				need = await acceptedNeed(group);
				const asked = who(role);
				if (asked) {
					const asker = role === 'chair' ? moderator : chair;
					actual.asked = await outcome(inviteChampion(as(asker), need.id, { handle: asked.handle }));
					actual.accept = actual.asked === 'ok' ? await outcome(acceptInvitation(as(asked), need.id)) : '-';
				} else Object.assign(actual, { asked: '-', accept: '-' });

				need = await acceptedNeed(group);
				invitee = await freshInvitee();
				await inviteChampion(as(chair), need.id, { handle: invitee.handle });
				actual.acceptOthers = await outcome(acceptInvitation(as(who(role)), need.id));
				actual.declineOthers = await outcome(declineInvitation(as(who(role)), need.id));
				// Nobody but the invitee answered it.
				expect((await getNeedChampions(as(invitee), need.id)).invitation).toMatchObject({ state: 'pending', mayAccept: true });

				expect(actual).toEqual(Object.fromEntries(Object.entries(expected[kind]).map(([action, byRole]) => [action, byRole[role]])));
			});
		}
	}

	it('offers the form to ask to the need’s moderators only, and never on a hidden or closed need', async () => {
		for (const group of [open, closed]) {
			const need = await acceptedNeed(group);
			for (const role of ROLES) {
				const view = await getNeedChampions(as(who(role)), need.id).catch(() => null);
				const expected = ['moderator', 'chair', 'admin'].includes(role);
				if (view) expect(view.abilities.invite, `${role} in ${group.visibility}`).toBe(expected);
				else expect(group.visibility === 'closed' && ['visitor', 'member', 'otherGroupChair'].includes(role)).toBe(true);
			}
		}
		const delivered = await acceptedNeed(open, { status: 'delivered' });
		expect((await getNeedChampions(as(chair), delivered.id)).abilities.invite).toBe(false);
		expect(await failure(inviteChampion(as(chair), delivered.id, { handle: groupMember.handle }))).toMatchObject({
			code: 'conflict',
			message: 'This need is delivered.'
		});
		const hidden = await buildNeed(t.db, { group: open, status: 'accepted', hiddenAt: new Date('2026-11-20T00:00:00Z'), hiddenReason: 'Spam' });
		expect((await getNeedChampions(as(chair), hidden.id)).abilities.invite).toBe(false);
		expect(await outcome(inviteChampion(as(chair), hidden.id, { handle: groupMember.handle }))).toBe('conflict');
	});
});

describe('an invitation, from asking to answering', () => {
	it('tells the member asked, shows it to them and to the moderators only, and accepting stands them as volunteering does', async () => {
		const need = await acceptedNeed(closed);
		const follower = await buildMember(t.db);
		await addMembership(t.db, closed, follower);
		await followNeed(as(follower), need.id);
		await followNeed(as(chair), need.id);

		const invitation = await inviteChampion(as(chair), need.id, { handle: '@Gus', note: 'You wrote the original patch.' });
		expect(invitation).toMatchObject({
			needId: need.id,
			member: { id: groupMember.id, handle: 'gus', displayName: 'Gus Member' },
			role: 'champion',
			note: 'You wrote the original patch.',
			invitedBy: { id: chair.id, handle: 'cheryl-chair' },
			state: 'pending',
			answeredAt: null
		});
		expect(await notices(need.id, 'need.champion_invited')).toEqual([
			{
				member_id: groupMember.id,
				data: {
					needId: need.id,
					title: need.title,
					role: 'champion',
					note: 'You wrote the original patch.',
					handle: 'cheryl-chair',
					displayName: 'Cheryl Chair'
				}
			}
		]);
		const { notifications } = await listMyNotifications(as(groupMember));
		expect(notifications[0]).toMatchObject({ kind: 'need.champion_invited', subjectId: need.id });

		// The member asked sees their invitation; the moderators see the list; anyone else sees neither.
		const theirs = await getNeedChampions(as(groupMember), need.id);
		expect(theirs.invitation).toMatchObject({ id: invitation.id, role: 'champion', mayAccept: true, invitedBy: { handle: 'cheryl-chair' } });
		expect(theirs.invitations).toEqual([]);
		for (const lead of [chair, moderator, admin]) {
			const view = await getNeedChampions(as(lead), need.id);
			expect(view.invitation).toBeNull();
			expect(view.invitations.map((i) => [i.member.handle, i.state])).toEqual([['gus', 'pending']]);
		}
		for (const reader of [follower, null]) {
			const view = await getNeedChampions(as(reader), need.id).catch(() => null);
			expect(view?.invitation ?? null).toBeNull();
			expect(view?.invitations ?? []).toEqual([]);
		}

		const champion = await acceptInvitation(as(groupMember), need.id, { note: 'I will rebase it this week.' });
		expect(champion).toMatchObject({ memberId: groupMember.id, role: 'champion', note: 'I will rebase it this week.' });
		const after = await getNeedChampions(as(groupMember), need.id);
		expect(after.champions.map((c) => c.member.handle)).toEqual(['gus']);
		expect(after.viewer?.role).toBe('champion');
		expect(after.invitation).toBeNull();
		expect((await getNeedChampions(as(chair), need.id)).invitations).toEqual([]);

		// The followers are told as for any volunteer, the asker once, by the answer.
		expect((await notices(need.id, 'need.champion_joined')).map((n) => n.member_id)).toEqual([follower.id]);
		expect(await notices(need.id, 'need.champion_invitation_answered')).toEqual([
			{ member_id: chair.id, data: { needId: need.id, title: need.title, role: 'champion', answer: 'accepted', handle: 'gus', displayName: 'Gus Member' } }
		]);
		expect(await events(need.id)).toEqual([
			{
				action: 'need.champion_invited',
				groupId: closed.id,
				actorId: chair.id,
				data: { invitationId: invitation.id, memberId: groupMember.id, handle: 'gus', role: 'champion', note: 'You wrote the original patch.' }
			},
			{
				action: 'need.champion_invitation_accepted',
				groupId: closed.id,
				actorId: groupMember.id,
				data: { invitationId: invitation.id, memberId: groupMember.id, role: 'champion' }
			},
			{
				action: 'need.champion_joined',
				groupId: closed.id,
				actorId: groupMember.id,
				data: { invitationId: invitation.id, memberId: groupMember.id, role: 'champion', note: 'I will rebase it this week.', notified: 1 }
			}
		]);
		expect(await outcome(acceptInvitation(as(groupMember), need.id))).toBe('conflict');
	});

	it('records a decline, tells the asker and shows it to the moderators; they may ask again', async () => {
		const need = await acceptedNeed(open);
		const invitation = await inviteChampion(as(moderator), need.id, { handle: 'otis', role: 'sponsor' });
		const declined = await declineInvitation(as(outsider), need.id);
		expect(declined).toMatchObject({ id: invitation.id, state: 'declined', answeredAt: expect.any(Date) });
		expect((await getNeedChampions(as(outsider), need.id)).invitation).toBeNull();
		expect((await getNeedChampions(as(chair), need.id)).invitations.map((i) => [i.member.handle, i.role, i.state])).toEqual([['otis', 'sponsor', 'declined']]);
		expect((await notices(need.id, 'need.champion_invitation_answered')).map((n) => [n.member_id, n.data.answer])).toEqual([[moderator.id, 'declined']]);
		expect((await events(need.id)).map((e) => e.action)).toEqual(['need.champion_invited', 'need.champion_invitation_declined']);
		expect(await outcome(declineInvitation(as(outsider), need.id))).toBe('conflict');
		expect(await outcome(inviteChampion(as(moderator), need.id, { handle: 'otis' }))).toBe('ok');
	});

	it('lets any of the need’s moderators withdraw an open invitation, which the member can no longer accept', async () => {
		const need = await acceptedNeed(open);
		await inviteChampion(as(chair), need.id, { handle: groupMember.handle });
		const withdrawn = await withdrawInvitation(as(moderator), need.id, '@gus');
		expect(withdrawn).toMatchObject({ state: 'withdrawn', member: { handle: 'gus' } });
		expect(await outcome(acceptInvitation(as(groupMember), need.id))).toBe('conflict');
		expect(await outcome(withdrawInvitation(as(moderator), need.id, 'gus'))).toBe('not_found');
		expect(await outcome(withdrawInvitation(as(moderator), need.id, 'nobody-here'))).toBe('not_found');
		expect((await getNeedChampions(as(chair), need.id)).invitations).toEqual([]);
		expect((await events(need.id)).map((e) => [e.action, e.actorId])).toEqual([
			['need.champion_invited', chair.id],
			['need.champion_invitation_withdrawn', moderator.id]
		]);
	});

	it('is answered by volunteering while asked', async () => {
		const need = await acceptedNeed(open);
		const invitation = await inviteChampion(as(chair), need.id, { handle: groupMember.handle });
		await volunteer(as(groupMember), need.id, { role: 'sponsor' });
		const row = await t.db.selectFrom('champion_invitation').select(['state', 'answered_by']).where('id', '=', invitation.id).executeTakeFirstOrThrow();
		expect(row).toEqual({ state: 'accepted', answered_by: groupMember.id });
		expect((await notices(need.id, 'need.champion_invitation_answered')).map((n) => n.member_id)).toEqual([chair.id]);
	});
});

describe('whom a moderator may ask', () => {
	it('refuses by field, writing and sending nothing: no such member, oneself, someone who stands already or is asked already', async () => {
		const need = await acceptedNeed(open);
		await volunteer(as(groupMember), need.id, { role: 'champion' });
		expect(await failure(inviteChampion(as(chair), need.id, { handle: 'nobody-here' }))).toMatchObject({
			code: 'invalid_input',
			fields: { handle: 'No member has that handle.' }
		});
		expect(await failure(inviteChampion(as(chair), need.id, { handle: '' }))).toMatchObject({ code: 'invalid_input', fields: { handle: expect.any(String) } });
		expect(await failure(inviteChampion(as(chair), need.id, { handle: chair.handle }))).toMatchObject({
			code: 'invalid_input',
			fields: { handle: 'That is you: volunteer instead.' }
		});
		expect(await failure(inviteChampion(as(chair), need.id, { handle: 'gus' }))).toMatchObject({ code: 'conflict', fields: { handle: expect.any(String) } });
		await inviteChampion(as(chair), need.id, { handle: 'otis' });
		expect(await failure(inviteChampion(as(moderator), need.id, { handle: 'OTIS' }))).toMatchObject({
			code: 'conflict',
			fields: { handle: expect.stringContaining('already asked') }
		});
		expect(await failure(inviteChampion(as(chair), need.id, { handle: 'otis', role: 'reviewer' as 'sponsor' }))).toMatchObject({
			code: 'invalid_input',
			fields: { role: expect.any(String) }
		});
		expect(await t.db.selectFrom('champion_invitation').select('member_id').where('need_id', '=', need.id).execute()).toEqual([{ member_id: outsider.id }]);
	});

	it('on a closed group’s need, asks its members only, even once published, and says no more than the asker may read', async () => {
		for (const published of [false, true]) {
			const need = await acceptedNeed(closed, { published });
			for (const handle of [outsider.handle, otherChair.handle, admin.handle]) {
				const refused = await failure(inviteChampion(as(chair), need.id, { handle }));
				expect(refused).toMatchObject({
					code: 'invalid_input',
					fields: { handle: `Only members of this closed group champion its needs, and @${handle} is not one.` }
				});
			}
			expect(await t.db.selectFrom('champion_invitation').select('id').where('need_id', '=', need.id).execute()).toEqual([]);
			expect(await t.db.selectFrom('notification').select('id').where('subject_id', '=', need.id).execute()).toEqual([]);
			expect(await events(need.id)).toEqual([]);
			for (const who of [outsider, otherChair]) {
				const { notifications } = await listMyNotifications(as(who));
				expect(notifications.filter((n) => n.subjectId === need.id)).toEqual([]);
			}
		}
	});

	it('checks again on accepting: a member who left the closed group no longer finds the need, and a delivered need takes no one', async () => {
		const leaver = await buildMember(t.db);
		await addMembership(t.db, closed, leaver);
		const need = await acceptedNeed(closed);
		await inviteChampion(as(chair), need.id, { handle: leaver.handle });
		await t.db.deleteFrom('group_membership').where('group_id', '=', closed.id).where('member_id', '=', leaver.id).execute();
		expect(await outcome(acceptInvitation(as(leaver), need.id))).toBe('not_found');
		expect((await getNeedChampions(as(chair), need.id)).invitations.map((i) => i.state)).toEqual(['pending']);

		const later = await acceptedNeed(open);
		await inviteChampion(as(chair), later.id, { handle: groupMember.handle });
		await t.db.updateTable('need').set({ status: 'delivered' }).where('id', '=', later.id).execute();
		expect((await getNeedChampions(as(groupMember), later.id)).invitation).toMatchObject({ mayAccept: false });
		expect(await failure(acceptInvitation(as(groupMember), later.id))).toMatchObject({ code: 'conflict', message: 'This need is delivered.' });
		expect(await outcome(declineInvitation(as(groupMember), later.id))).toBe('ok');
	});
});
