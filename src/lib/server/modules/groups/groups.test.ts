import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import type { Actor } from '#lib/server/platform/context.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import {
	acceptInvitation,
	approveRequest,
	createGroup,
	declineInvitation,
	declineRequest,
	endMembership,
	invite,
	joinOpenGroup,
	joinOrRequest,
	leaveGroup,
	removeMember,
	requestToJoin,
	setRole,
	updateGroup
} from './groups.commands.ts';
import { addMembership, buildGroup } from './groups.factories.ts';
import { getGroupDetail, getGroupPage, listGroups, listGroupsOfMember, listMemberships, requireGroupWorkReadable } from './groups.queries.ts';
import { groupWorkReadableBy, readableGroupIds } from './groups.visibility.ts';
import { mayReadGroupWork } from './groups.policy.ts';

let t: TestDatabase;
let admin: MemberRow;
beforeAll(async () => {
	t = await createTestDatabase();
	admin = await buildMember(t.db, { isAdmin: true });
});
afterAll(() => t?.close());

const as = (who: MemberRow | null) => ctxFor(t.db, who);
const actorOf = (who: MemberRow): Actor => toActor(who, 'session');

async function membershipRows(groupId: number) {
	return t.db.selectFrom('group_membership').selectAll().where('group_id', '=', groupId).execute();
}

describe('creating and editing a group', () => {
	it('makes the creating administrator its chair, derives the address from the name, and records the activity', async () => {
		const group = await createGroup(as(admin), { name: 'Large Scale SIG', kind: 'sig', visibility: 'open', summary: ' Big clouds. ', charter: '# Charter' });
		expect(group).toMatchObject({ slug: 'large-scale-sig', name: 'Large Scale SIG', kind: 'sig', visibility: 'open', summary: 'Big clouds.' });
		expect(await membershipRows(group.id)).toEqual([expect.objectContaining({ member_id: admin.id, role: 'chair', state: 'active' })]);
		const activity = await t.db.selectFrom('activity').selectAll().where('action', '=', 'group.created').where('group_id', '=', group.id).execute();
		expect(activity).toHaveLength(1);
	});

	it('refuses a taken or reserved address with a field error, and names every bad field', async () => {
		const taken = await createGroup(as(admin), { name: 'Large scale SIG', kind: 'sig', visibility: 'open' }).catch((e) => e);
		expect(taken).toMatchObject({ code: 'conflict', fields: { slug: expect.any(String) } });
		const reserved = await createGroup(as(admin), { slug: 'new', name: 'New', kind: 'sig', visibility: 'open' }).catch((e) => e);
		expect(reserved).toMatchObject({ code: 'invalid_input', fields: { slug: expect.any(String) } });
		const bad = await createGroup(as(admin), untrusted({ name: '', kind: 'club', visibility: 'secret', summary: 'x'.repeat(501) })).catch((e) => e);
		expect(bad.code).toBe('invalid_input');
		expect(Object.keys(bad.fields).sort()).toEqual(['kind', 'name', 'slug', 'summary', 'visibility']);
	});

	it('lets a chair change the group, and records what changed', async () => {
		const chair = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'open' });
		const updated = await updateGroup(as(chair), group.slug, { name: 'Renamed', visibility: 'closed', charter: '## New' });
		expect(updated).toMatchObject({ name: 'Renamed', visibility: 'closed', charter: '## New', slug: group.slug });
		const event = await t.db
			.selectFrom('activity')
			.selectAll()
			.where('action', '=', 'group.updated')
			.where('group_id', '=', group.id)
			.executeTakeFirstOrThrow();
		expect(event.data).toMatchObject({ changed: expect.arrayContaining(['name', 'visibility', 'charter']), visibility: { from: 'open', to: 'closed' } });
		await expect(updateGroup(as(chair), group.slug, untrusted({ kind: 'band' }))).rejects.toMatchObject({
			code: 'invalid_input',
			fields: { kind: expect.any(String) }
		});
	});
});

describe('joining', () => {
	it('joins an open group at once; a second join is a conflict', async () => {
		const chair = await buildMember(t.db);
		const member = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'open' });
		const joined = await joinOpenGroup(as(member), group.slug);
		expect(joined).toMatchObject({ state: 'active', role: 'member', member: { handle: member.handle } });
		await expect(joinOpenGroup(as(member), group.slug)).rejects.toMatchObject({ code: 'conflict' });
		expect(await membershipRows(group.id)).toHaveLength(2);
	});

	it('asks to join a closed group; chairs and moderators see the request with its message; approval makes a member', async () => {
		const chair = await buildMember(t.db);
		const moderator = await buildMember(t.db);
		const insider = await buildMember(t.db);
		const asker = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'closed' });
		await addMembership(t.db, group, moderator, { role: 'moderator' });
		await addMembership(t.db, group, insider);

		const asked = await joinOrRequest(as(asker), group.slug, { message: 'I run 3 regions.' });
		expect(asked).toMatchObject({ state: 'requested', message: 'I run 3 regions.' });
		await expect(requestToJoin(as(asker), group.slug, {})).rejects.toMatchObject({ code: 'conflict' });

		for (const lead of [chair, moderator]) {
			const page = await getGroupPage(as(lead), group.slug);
			expect(page?.requests?.map((r) => [r.member.handle, r.message])).toEqual([[asker.handle, 'I run 3 regions.']]);
		}
		expect((await getGroupPage(as(insider), group.slug))?.requests).toBeNull();
		await expect(listMemberships(as(insider), group.slug, { state: 'requested' })).rejects.toMatchObject({ code: 'forbidden' });
		// The asker is not a member yet: the closed group's members stay hidden from them.
		const askerView = await getGroupPage(as(asker), group.slug);
		expect(askerView).toMatchObject({ members: null, memberCount: null, myMembership: { state: 'requested' } });

		const approved = await approveRequest(as(moderator), group.slug, asker.handle);
		expect(approved).toMatchObject({ state: 'active', message: '' });
		await expect(approveRequest(as(chair), group.slug, asker.handle)).rejects.toMatchObject({ code: 'conflict' });
		expect((await getGroupPage(as(asker), group.slug))?.members?.map((m) => m.member.handle)).toContain(asker.handle);
	});

	it('declines a request; the member may ask again, and may withdraw a request', async () => {
		const chair = await buildMember(t.db);
		const asker = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'closed' });
		await requestToJoin(as(asker), group.slug, { message: 'hello' });
		await declineRequest(as(chair), group.slug, asker.handle);
		await expect(declineRequest(as(chair), group.slug, asker.handle)).rejects.toMatchObject({ code: 'not_found' });
		expect(await membershipRows(group.id)).toHaveLength(1);
		await requestToJoin(as(asker), group.slug, {});
		await leaveGroup(as(asker), group.slug);
		expect(await membershipRows(group.id)).toHaveLength(1);
		const actions = await t.db.selectFrom('activity').select('action').where('group_id', '=', group.id).orderBy('id').execute();
		expect(actions.map((a) => a.action)).toEqual(['group.join_requested', 'group.request_declined', 'group.join_requested', 'group.request_withdrawn']);
	});

	it('refuses a message that is too long, with the field named', async () => {
		const chair = await buildMember(t.db);
		const asker = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'closed' });
		await expect(requestToJoin(as(asker), group.slug, { message: 'x'.repeat(1001) })).rejects.toMatchObject({
			code: 'invalid_input',
			fields: { message: expect.any(String) }
		});
		expect(await membershipRows(group.id)).toHaveLength(1);
	});
});

describe('invitations', () => {
	it('a chair invites by handle; the invitee accepts or declines', async () => {
		const chair = await buildMember(t.db);
		const ana = await buildMember(t.db);
		const bo = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'closed' });

		const invited = await invite(as(chair), group.slug, { handle: ana.handle.toUpperCase(), message: 'Join us' });
		expect(invited).toMatchObject({ state: 'invited', member: { handle: ana.handle }, invitedBy: { handle: chair.handle }, message: 'Join us' });
		await expect(invite(as(chair), group.slug, { handle: ana.handle })).rejects.toMatchObject({ code: 'conflict', fields: { handle: expect.any(String) } });
		await expect(invite(as(chair), group.slug, { handle: 'nobody-here' })).rejects.toMatchObject({
			code: 'invalid_input',
			fields: { handle: expect.any(String) }
		});
		await expect(invite(as(chair), group.slug, { handle: chair.handle })).rejects.toMatchObject({ code: 'conflict' });
		expect((await getGroupPage(as(chair), group.slug))?.invitations?.map((i) => i.member.handle)).toEqual([ana.handle]);
		expect((await getGroupPage(as(ana), group.slug))?.myMembership).toMatchObject({ state: 'invited', message: 'Join us' });

		await expect(acceptInvitation(as(bo), group.slug)).rejects.toMatchObject({ code: 'not_found' });
		expect(await acceptInvitation(as(ana), group.slug)).toMatchObject({ state: 'active' });

		await invite(as(chair), group.slug, { handle: `@${bo.handle}` });
		await declineInvitation(as(bo), group.slug);
		expect((await membershipRows(group.id)).map((r) => r.member_id).sort()).toEqual([chair.id, ana.id].sort());
	});

	it('an invitation and a request for the same member meet in a membership', async () => {
		const chair = await buildMember(t.db);
		const asker = await buildMember(t.db);
		const invitee = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'closed' });
		await requestToJoin(as(asker), group.slug, {});
		expect(await invite(as(chair), group.slug, { handle: asker.handle })).toMatchObject({ state: 'active' });
		await invite(as(chair), group.slug, { handle: invitee.handle });
		expect(await joinOrRequest(as(invitee), group.slug, {})).toMatchObject({ state: 'active' });
	});

	it('a chair withdraws an invitation', async () => {
		const chair = await buildMember(t.db);
		const invitee = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'open' });
		await invite(as(chair), group.slug, { handle: invitee.handle });
		await removeMember(as(chair), group.slug, invitee.handle);
		expect(await membershipRows(group.id)).toHaveLength(1);
		const last = await t.db.selectFrom('activity').select('action').where('group_id', '=', group.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
		expect(last.action).toBe('group.invitation_withdrawn');
	});
});

describe('roles and the last chair', () => {
	it('the only chair cannot leave, step down or be removed; after naming another chair they can', async () => {
		const chair = await buildMember(t.db);
		const next = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'open' });
		await addMembership(t.db, group, next);

		await expect(leaveGroup(as(chair), group.slug)).rejects.toMatchObject({ code: 'conflict' });
		await expect(endMembership(as(chair), group.slug, chair.handle)).rejects.toMatchObject({ code: 'conflict' });
		await expect(setRole(as(chair), group.slug, chair.handle, { role: 'member' })).rejects.toMatchObject({ code: 'conflict' });
		await expect(removeMember(as(admin), group.slug, chair.handle)).rejects.toMatchObject({ code: 'conflict' });

		expect(await setRole(as(chair), group.slug, next.handle, { role: 'chair' })).toMatchObject({ role: 'chair' });
		await expect(setRole(as(chair), group.slug, next.handle, untrusted({ role: 'owner' }))).rejects.toMatchObject({
			code: 'invalid_input',
			fields: { role: expect.any(String) }
		});
		await leaveGroup(as(chair), group.slug);
		expect(await membershipRows(group.id)).toEqual([expect.objectContaining({ member_id: next.id, role: 'chair' })]);
	});

	it('two chairs leaving at the same moment leave one chair behind', async () => {
		const one = await buildMember(t.db);
		const two = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair: one, visibility: 'open' });
		await addMembership(t.db, group, two, { role: 'chair' });
		const results = await Promise.allSettled([leaveGroup(as(one), group.slug), leaveGroup(as(two), group.slug)]);
		expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
		const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
		expect(rejected?.reason).toMatchObject({ code: 'conflict' });
		const rows = await membershipRows(group.id);
		expect(rows).toHaveLength(1);
		expect(rows[0].role).toBe('chair');
	});

	it('a moderator answers requests but does not set roles or remove', async () => {
		const chair = await buildMember(t.db);
		const moderator = await buildMember(t.db);
		const other = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'open' });
		await addMembership(t.db, group, moderator, { role: 'moderator' });
		await addMembership(t.db, group, other);
		await expect(setRole(as(moderator), group.slug, other.handle, { role: 'moderator' })).rejects.toMatchObject({ code: 'forbidden' });
		await expect(removeMember(as(moderator), group.slug, other.handle)).rejects.toMatchObject({ code: 'forbidden' });
		await expect(endMembership(as(moderator), group.slug, other.handle)).rejects.toMatchObject({ code: 'forbidden' });
	});
});

describe('concurrency', () => {
	it('two simultaneous joins by the same member make one membership and one conflict', async () => {
		const chair = await buildMember(t.db);
		const member = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'open' });
		const results = await Promise.allSettled([
			joinOpenGroup(as(member), group.slug),
			joinOpenGroup(as(member), group.slug),
			joinOrRequest(as(member), group.slug)
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'conflict' });
		expect((await membershipRows(group.id)).filter((r) => r.member_id === member.id)).toHaveLength(1);
		const joins = await t.db.selectFrom('activity').select('id').where('group_id', '=', group.id).where('action', '=', 'group.joined').execute();
		expect(joins).toHaveLength(1);
	});

	it('two simultaneous requests make one request', async () => {
		const chair = await buildMember(t.db);
		const member = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'closed' });
		const results = await Promise.allSettled([requestToJoin(as(member), group.slug, {}), requestToJoin(as(member), group.slug, {})]);
		expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
		expect((await membershipRows(group.id)).filter((r) => r.member_id === member.id)).toHaveLength(1);
	});

	it('two simultaneous approvals approve once', async () => {
		const chair = await buildMember(t.db);
		const moderator = await buildMember(t.db);
		const asker = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'closed' });
		await addMembership(t.db, group, moderator, { role: 'moderator' });
		await addMembership(t.db, group, asker, { state: 'requested' });
		const results = await Promise.allSettled([approveRequest(as(chair), group.slug, asker.handle), approveRequest(as(moderator), group.slug, asker.handle)]);
		expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
		const approvals = await t.db.selectFrom('activity').select('id').where('group_id', '=', group.id).where('action', '=', 'group.request_approved').execute();
		expect(approvals).toHaveLength(1);
	});
});

describe('closed groups keep their work to their members', () => {
	let open: Awaited<ReturnType<typeof buildGroup>>;
	let closed: Awaited<ReturnType<typeof buildGroup>>;
	let insider: MemberRow;
	let outsider: MemberRow;
	let asker: MemberRow;
	let invitee: MemberRow;

	beforeAll(async () => {
		const chair = await buildMember(t.db);
		insider = await buildMember(t.db);
		outsider = await buildMember(t.db);
		asker = await buildMember(t.db);
		invitee = await buildMember(t.db);
		open = await buildGroup(t.db, { chair, visibility: 'open', name: 'Visibility open' });
		closed = await buildGroup(t.db, { chair, visibility: 'closed', name: 'Visibility closed', summary: 'Public summary' });
		await addMembership(t.db, closed, insider);
		await addMembership(t.db, open, insider);
		await addMembership(t.db, closed, asker, { state: 'requested' });
		await addMembership(t.db, closed, invitee, { state: 'invited' });
		for (const [groupId, action] of [
			[open.id, 'test.open_work'],
			[closed.id, 'test.closed_work'],
			[null, 'test.no_group']
		] as const) {
			await t.db.insertInto('activity').values({ at: new Date(), actor_id: null, action, subject_type: 'test', subject_id: null, group_id: groupId }).execute();
		}
	});

	async function visibleWork(actor: Actor | null, options?: { nullIsPublic?: boolean }) {
		const rows = await t.db
			.selectFrom('activity')
			.select('action')
			.where('action', 'like', 'test.%')
			.where(groupWorkReadableBy(actor, 'activity.group_id', options))
			.orderBy('action')
			.execute();
		return rows.map((r) => r.action);
	}

	it('the query helper shows a closed group’s rows to its active members and administrators only', async () => {
		expect(await visibleWork(null)).toEqual(['test.no_group', 'test.open_work']);
		expect(await visibleWork(actorOf(outsider))).toEqual(['test.no_group', 'test.open_work']);
		expect(await visibleWork(actorOf(asker))).toEqual(['test.no_group', 'test.open_work']);
		expect(await visibleWork(actorOf(invitee))).toEqual(['test.no_group', 'test.open_work']);
		expect(await visibleWork(actorOf(insider))).toEqual(['test.closed_work', 'test.no_group', 'test.open_work']);
		expect(await visibleWork(actorOf(admin))).toEqual(['test.closed_work', 'test.no_group', 'test.open_work']);
		expect(await visibleWork(actorOf(insider), { nullIsPublic: false })).toEqual(['test.closed_work', 'test.open_work']);
		expect(await visibleWork(null, { nullIsPublic: false })).toEqual(['test.open_work']);
	});

	it('counts through the helper leak nothing either', async () => {
		const count = async (actor: Actor | null) =>
			Number(
				(
					await t.db
						.selectFrom('activity')
						.select((eb) => eb.fn.countAll<number>().as('n'))
						.where('group_id', '=', closed.id)
						.where(groupWorkReadableBy(actor, 'group_id'))
						.executeTakeFirstOrThrow()
				).n
			);
		expect(await count(actorOf(outsider))).toBe(0);
		expect(await count(actorOf(insider))).toBeGreaterThan(0);
	});

	it('readableGroupIds and the pure policy agree for every actor and group', async () => {
		const groups = await t.db.selectFrom('group').selectAll().execute();
		for (const who of [null, outsider, asker, invitee, insider, admin]) {
			const actor = who && actorOf(who);
			const ids = (await t.db.selectFrom('group').select('id').where('id', 'in', readableGroupIds(actor)).execute()).map((r) => r.id).sort((a, b) => a - b);
			const expected: number[] = [];
			for (const g of groups) {
				const m = who
					? await t.db.selectFrom('group_membership').selectAll().where('group_id', '=', g.id).where('member_id', '=', who.id).executeTakeFirst()
					: null;
				if (mayReadGroupWork(actor, g, m)) expected.push(g.id);
			}
			expect(ids).toEqual(expected.sort((a, b) => a - b));
		}
	});

	it('one item of a closed group is not found for outsiders', async () => {
		await expect(requireGroupWorkReadable(as(outsider), closed.id, 'The need')).rejects.toMatchObject({
			code: 'not_found',
			message: 'The need was not found.'
		});
		await expect(requireGroupWorkReadable(as(null), closed.id, 'The need')).rejects.toMatchObject({ code: 'not_found' });
		await expect(requireGroupWorkReadable(as(insider), closed.id, 'The need')).resolves.toMatchObject({ group: { id: closed.id } });
		await expect(requireGroupWorkReadable(as(outsider), open.id, 'The need')).resolves.toMatchObject({ group: { id: open.id } });
		await expect(requireGroupWorkReadable(as(outsider), null, 'The need')).resolves.toBeNull();
	});

	it('the group list shows every group, with a closed group’s member count for its members only', async () => {
		for (const who of [null, outsider, asker]) {
			const list = await listGroups(as(who));
			expect(list.find((g) => g.id === closed.id)).toMatchObject({ name: 'Visibility closed', summary: 'Public summary', memberCount: null });
			expect(list.find((g) => g.id === open.id)?.memberCount).toBe(2);
		}
		expect((await listGroups(as(insider))).find((g) => g.id === closed.id)?.memberCount).toBe(2);
		expect((await listGroups(as(admin))).find((g) => g.id === closed.id)?.memberCount).toBe(2);
		expect((await listGroups(as(insider), { kind: 'committee' })).find((g) => g.id === closed.id)).toBeUndefined();
	});

	it('the member list and detail of a closed group are for its members', async () => {
		await expect(listMemberships(as(outsider), closed.slug)).rejects.toMatchObject({ code: 'forbidden' });
		await expect(listMemberships(as(null), closed.slug)).rejects.toMatchObject({ code: 'forbidden' });
		expect((await listMemberships(as(null), open.slug)).map((m) => m.member.handle)).toContain(insider.handle);
		expect((await listMemberships(as(insider), closed.slug)).map((m) => m.member.handle)).toContain(insider.handle);
		expect(await getGroupDetail(as(outsider), closed.slug)).toMatchObject({ memberCount: null, abilities: { readWork: false, requestToJoin: true } });
		const page = await getGroupPage(as(null), closed.slug);
		expect(page).toMatchObject({ members: null, requests: null, invitations: null, group: { summary: 'Public summary' } });
	});

	it("another member's closed-group memberships show only to those who may read the group", async () => {
		const names = async (who: MemberRow | null, of: MemberRow) => (await listGroupsOfMember(as(who), of.id)).map((g) => g.group.name).sort();
		expect(await names(outsider, insider)).toEqual(['Visibility open']);
		expect(await names(null, insider)).toEqual(['Visibility open']);
		expect(await names(insider, insider)).toEqual(['Visibility closed', 'Visibility open']);
		expect(await names(admin, insider)).toEqual(['Visibility closed', 'Visibility open']);
		expect(await names(outsider, asker)).toEqual([]);
		expect(await names(asker, asker)).toEqual(['Visibility closed']);
	});

	it("a closed group's activity carries its id", async () => {
		const chair = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility: 'closed' });
		const member = await buildMember(t.db);
		await invite(as(chair), group.slug, { handle: member.handle });
		await acceptInvitation(as(member), group.slug);
		const rows = await t.db
			.selectFrom('activity')
			.select(['action', 'group_id'])
			.where('subject_type', '=', 'group')
			.where('subject_id', '=', group.id)
			.execute();
		expect(rows.length).toBe(2);
		expect(rows.every((r) => r.group_id === group.id)).toBe(true);
	});
});
