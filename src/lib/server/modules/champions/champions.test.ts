import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { followNeed, type NeedRow } from '#lib/server/modules/needs/index.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import { linkChange, removeChampion, setChangeState, unlinkChange, volunteer, withdraw } from './champions.commands.ts';
import { getNeedChampions, listNeedsWithoutChampion } from './champions.queries.ts';

let t: TestDatabase;
let admin: MemberRow;
let chair: MemberRow;
let moderator: MemberRow;
let groupMember: MemberRow;
let outsider: MemberRow;
let open: GroupRow;
let closed: GroupRow;
const clock = new TestClock();

beforeAll(async () => {
	t = await createTestDatabase();
	admin = await buildMember(t.db, { isAdmin: true });
	chair = await buildMember(t.db);
	moderator = await buildMember(t.db);
	groupMember = await buildMember(t.db);
	outsider = await buildMember(t.db);
	open = await buildGroup(t.db, { chair });
	closed = await buildGroup(t.db, { chair, visibility: 'closed' });
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
const REVIEW = 'https://review.opendev.org/c/openstack/nova/+/912345';

type Role = 'visitor' | 'member' | 'groupMember' | 'moderator' | 'chair' | 'admin';
const ROLES: Role[] = ['visitor', 'member', 'groupMember', 'moderator', 'chair', 'admin'];
const who = (role: Role): MemberRow | null => ({ visitor: null, member: outsider, groupMember, moderator, chair, admin })[role];

async function acceptedNeed(group: GroupRow, options: Partial<{ published: boolean }> = {}): Promise<NeedRow> {
	return buildNeed(t.db, { group, status: 'accepted', publishedAt: options.published ? new Date('2026-11-02T00:00:00Z') : undefined });
}

/** Someone other than every role in the matrix: a champion the matrix's roles try to remove. */
async function withChampion(need: NeedRow) {
	const volunteerMember = await buildMember(t.db);
	await addMembership(t.db, need.group_id === closed.id ? closed : open, volunteerMember);
	await volunteer(as(volunteerMember), need.id, { role: 'champion' });
	return volunteerMember;
}

describe('the authorization matrix', () => {
	const expected: Record<'open' | 'closed', Record<string, Record<Role, string>>> = {
		open: {
			volunteer: { visitor: 'unauthenticated', member: 'ok', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok' },
			withdraw: { visitor: 'unauthenticated', member: 'ok', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok' },
			remove: { visitor: 'unauthenticated', member: 'forbidden', groupMember: 'forbidden', moderator: 'ok', chair: 'ok', admin: 'ok' },
			link: { visitor: 'unauthenticated', member: 'forbidden', groupMember: 'forbidden', moderator: 'ok', chair: 'ok', admin: 'ok' },
			linkAsChampion: { visitor: 'unauthenticated', member: 'ok', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok' },
			state: { visitor: 'unauthenticated', member: 'forbidden', groupMember: 'forbidden', moderator: 'ok', chair: 'ok', admin: 'ok' }
		},
		closed: {
			volunteer: { visitor: 'unauthenticated', member: 'not_found', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'forbidden' },
			withdraw: { visitor: 'unauthenticated', member: 'not_found', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'conflict' },
			remove: { visitor: 'unauthenticated', member: 'not_found', groupMember: 'forbidden', moderator: 'ok', chair: 'ok', admin: 'ok' },
			link: { visitor: 'unauthenticated', member: 'not_found', groupMember: 'forbidden', moderator: 'ok', chair: 'ok', admin: 'ok' },
			linkAsChampion: { visitor: 'unauthenticated', member: 'not_found', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok' },
			state: { visitor: 'unauthenticated', member: 'not_found', groupMember: 'forbidden', moderator: 'ok', chair: 'ok', admin: 'ok' }
		}
	};

	for (const kind of ['open', 'closed'] as const) {
		for (const role of ROLES) {
			it(`${role} in a${kind === 'open' ? 'n' : ''} ${kind} group`, async () => {
				const group = kind === 'open' ? open : closed;
				const actual: Record<string, string> = {};
				let need = await acceptedNeed(group);
				actual.volunteer = await outcome(volunteer(as(who(role)), need.id, { role: 'champion' }));
				actual.withdraw = await outcome(withdraw(as(who(role)), need.id));

				need = await acceptedNeed(group);
				const champion = await withChampion(need);
				actual.remove = await outcome(removeChampion(as(who(role)), need.id, champion.handle, { reason: 'Not working on it any more.' }));

				need = await acceptedNeed(group);
				actual.link = await outcome(linkChange(as(who(role)), need.id, { url: REVIEW }));

				need = await acceptedNeed(group);
				if (who(role) && actual.volunteer === 'ok') await volunteer(as(who(role)), need.id, { role: 'sponsor' });
				actual.linkAsChampion = await outcome(linkChange(as(who(role)), need.id, { url: REVIEW }));

				need = await acceptedNeed(group);
				const byChampion = await withChampion(need);
				const change = await linkChange(as(byChampion), need.id, { url: REVIEW });
				actual.state = await outcome(setChangeState(as(who(role)), change.id, { state: 'merged' }));

				expect(actual).toEqual(Object.fromEntries(Object.entries(expected[kind]).map(([action, byRole]) => [action, byRole[role]])));
			});
		}
	}

	it('a published need of a closed group is championed by the group’s members only', async () => {
		const need = await acceptedNeed(closed, { published: true });
		expect(await outcome(volunteer(as(outsider), need.id, { role: 'champion' }))).toBe('forbidden');
		expect(await outcome(volunteer(as(groupMember), need.id, { role: 'champion' }))).toBe('ok');
		const view = await getNeedChampions(as(outsider), need.id);
		expect(view.champions.map((c) => c.member.id)).toEqual([groupMember.id]);
		expect(view.abilities).toEqual({ volunteer: false, withdraw: false, remove: false, linkChanges: false, invite: false });
	});
});

describe('volunteering', () => {
	it('lets several champions and sponsors stand on one need, once each, and tells the followers who may read it', async () => {
		const follower = await buildMember(t.db);
		const formerMember = await buildMember(t.db);
		await addMembership(t.db, closed, follower);
		const left = await addMembership(t.db, closed, formerMember);
		const need = await acceptedNeed(closed);
		await followNeed(as(follower), need.id);
		await followNeed(as(formerMember), need.id);
		// They leave the group: the closed need is no longer theirs to read, so they are not told.
		await t.db.deleteFrom('group_membership').where('group_id', '=', left.group_id).where('member_id', '=', formerMember.id).execute();

		await volunteer(as(groupMember), need.id, { role: 'champion', note: 'I run the upgrade jobs; I can write the patch.' });
		await volunteer(as(moderator), need.id, { role: 'champion' });
		await volunteer(as(chair), need.id, { role: 'sponsor' });
		expect(await outcome(volunteer(as(groupMember), need.id, { role: 'sponsor' }))).toBe('conflict');

		const view = await getNeedChampions(as(groupMember), need.id);
		expect(view.champions.map((c) => [c.member.id, c.note])).toEqual([
			[groupMember.id, 'I run the upgrade jobs; I can write the patch.'],
			[moderator.id, '']
		]);
		expect(view.sponsors.map((c) => c.member.id)).toEqual([chair.id]);
		expect(view.viewer?.role).toBe('champion');

		const told = await t.db
			.selectFrom('notification')
			.select(['member_id', 'data'])
			.where('kind', '=', 'need.champion_joined')
			.where('subject_id', '=', need.id)
			.execute();
		expect(told.filter((n) => n.member_id === follower.id)).toHaveLength(3);
		expect(told.filter((n) => n.member_id === formerMember.id)).toHaveLength(0);
		const events = await t.db
			.selectFrom('activity')
			.select(['action', 'group_id'])
			.where('subject_type', '=', 'need')
			.where('subject_id', '=', need.id)
			.execute();
		expect(events).toEqual(Array(3).fill({ action: 'need.champion_joined', group_id: closed.id }));
	});

	it('refuses needs that are done, merged or hidden, and needs that do not exist', async () => {
		const delivered = await buildNeed(t.db, { group: open, status: 'delivered' });
		expect(await outcome(volunteer(as(outsider), delivered.id, { role: 'champion' }))).toBe('conflict');
		const hidden = await buildNeed(t.db, { group: open, status: 'accepted', hiddenAt: new Date(), hiddenReason: 'Spam' });
		expect(await outcome(volunteer(as(chair), hidden.id, { role: 'champion' }))).toBe('forbidden');
		expect(await outcome(volunteer(as(outsider), 987654321, { role: 'champion' }))).toBe('not_found');
		expect(await outcome(volunteer(as(outsider), delivered.id, untrusted({ role: 'captain' })))).toBe('invalid_input');
		expect(await outcome(volunteer(as(outsider), delivered.id, { role: 'champion', note: 'x'.repeat(501) }))).toBe('invalid_input');
	});

	it('a moderator’s removal says why and tells the member; withdrawing twice is a conflict', async () => {
		const need = await acceptedNeed(open);
		await volunteer(as(outsider), need.id, { role: 'champion' });
		expect(await outcome(removeChampion(as(chair), need.id, outsider.handle, { reason: 'no' }))).toBe('invalid_input');
		expect(await outcome(removeChampion(as(chair), need.id, 'nobody-by-this-name', { reason: 'Gone quiet for months.' }))).toBe('not_found');
		await removeChampion(as(chair), need.id, outsider.handle, { reason: 'Gone quiet for months.' });
		const row = await t.db.selectFrom('need_champion').selectAll().where('need_id', '=', need.id).executeTakeFirstOrThrow();
		expect(row).toMatchObject({ ended_by: chair.id, end_reason: 'Gone quiet for months.' });
		const [told] = await t.db.selectFrom('notification').selectAll().where('member_id', '=', outsider.id).where('kind', '=', 'need.champion_removed').execute();
		expect(told.data).toMatchObject({ reason: 'Gone quiet for months.' });
		expect(await outcome(withdraw(as(outsider), need.id))).toBe('conflict');
		// They may stand again later.
		expect(await outcome(volunteer(as(outsider), need.id, { role: 'sponsor' }))).toBe('ok');
	});
});

describe('upstream changes', () => {
	it('a champion links a review, updates its state and unlinks it; each step is recorded', async () => {
		const need = await acceptedNeed(open);
		await volunteer(as(outsider), need.id, { role: 'champion' });
		const change = await linkChange(as(outsider), need.id, { url: `${REVIEW}/2/nova/compute/manager.py` });
		expect(change).toMatchObject({ forge: 'gerrit', project: 'openstack/nova', number: 912345, url: REVIEW, state: 'open', label: 'Gerrit change 912345' });
		expect(change.addedBy).toMatchObject({ id: outsider.id, handle: outsider.handle });
		expect(await outcome(linkChange(as(outsider), need.id, { url: REVIEW }))).toBe('conflict');
		await linkChange(as(outsider), need.id, { url: 'https://github.com/openstack/nova/pull/12', state: 'merged' });
		await setChangeState(as(outsider), change.id, { state: 'merged' });
		const view = await getNeedChampions(as(null), need.id);
		expect(view.changes.map((c) => [c.label, c.state])).toEqual([
			['Gerrit change 912345', 'merged'],
			['PR #12', 'merged']
		]);
		await unlinkChange(as(chair), change.id);
		expect((await getNeedChampions(as(null), need.id)).changes).toHaveLength(1);
		const events = await t.db
			.selectFrom('activity')
			.select('action')
			.where('subject_id', '=', need.id)
			.where('subject_type', '=', 'need')
			.orderBy('id')
			.execute();
		expect(events.map((e) => e.action)).toEqual([
			'need.champion_joined',
			'need.change_linked',
			'need.change_linked',
			'need.change_state_changed',
			'need.change_unlinked'
		]);
	});

	it('refuses addresses that are not reviews or pull requests, oversized input and unknown needs or changes, writing nothing', async () => {
		const need = await acceptedNeed(open);
		const before = await t.db
			.selectFrom('upstream_change')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.executeTakeFirstOrThrow();
		const failure = (p: Promise<unknown>) =>
			p.then(
				() => null,
				(e: { code: string; fields: Record<string, string> }) => e
			);
		expect(await failure(linkChange(as(chair), need.id, { url: 'https://example.org/my-blog' }))).toMatchObject({
			code: 'invalid_input',
			fields: { url: expect.stringContaining('Gerrit') }
		});
		expect(await failure(linkChange(as(chair), need.id, { url: `https://github.com/o/r/pull/1?${'x'.repeat(3000)}` }))).toMatchObject({
			code: 'invalid_input',
			fields: { url: expect.stringContaining('2,000') }
		});
		expect(await failure(linkChange(as(chair), need.id, untrusted({ url: REVIEW, state: 'landed' })))).toMatchObject({
			code: 'invalid_input',
			fields: { state: expect.any(String) }
		});
		expect(await failure(linkChange(as(chair), need.id, untrusted({})))).toMatchObject({ code: 'invalid_input', fields: { url: expect.any(String) } });
		expect(await outcome(linkChange(as(chair), 987654321, { url: REVIEW }))).toBe('not_found');
		expect(await outcome(setChangeState(as(chair), 987654321, { state: 'merged' }))).toBe('not_found');
		expect(await outcome(unlinkChange(as(chair), -4))).toBe('not_found');
		const after = await t.db
			.selectFrom('upstream_change')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.executeTakeFirstOrThrow();
		expect(Number(after.n)).toBe(Number(before.n));
	});

	it('a change on a closed group’s need does not exist for outsiders', async () => {
		const need = await acceptedNeed(closed);
		const change = await linkChange(as(moderator), need.id, { url: REVIEW });
		expect(await outcome(setChangeState(as(outsider), change.id, { state: 'abandoned' }))).toBe('not_found');
		expect(await outcome(unlinkChange(as(outsider), change.id))).toBe('not_found');
		expect(await outcome(getNeedChampions(as(outsider), need.id))).toBe('not_found');
	});
});

describe('needs a champion', () => {
	it('tells an empty page of "all championed" from "nothing accepted yet", without counting what the reader may not see', async () => {
		const g = await buildGroup(t.db, { chair, slug: 'wanted-empty' });
		const secret = await buildGroup(t.db, { chair, slug: 'wanted-empty-secret', visibility: 'closed' });
		await buildNeed(t.db, { group: g, status: 'triaged' });
		await buildNeed(t.db, { group: secret, status: 'accepted' });
		expect(await listNeedsWithoutChampion(as(null), { group: 'wanted-empty' })).toMatchObject({ needs: [], anyWanted: false });
		expect(await listNeedsWithoutChampion(as(null), { group: 'wanted-empty-secret' })).toMatchObject({ needs: [], anyWanted: false });
		const accepted = await buildNeed(t.db, { group: g, status: 'accepted' });
		await volunteer(as(outsider), accepted.id, { role: 'champion' });
		expect(await listNeedsWithoutChampion(as(null), { group: 'wanted-empty' })).toMatchObject({ needs: [], anyWanted: true });
	});

	it('lists accepted and handed needs nobody champions, most supported first, as the reader may see them', async () => {
		const g = await buildGroup(t.db, { chair, slug: 'wanted-ops' });
		const secret = await buildGroup(t.db, { chair, slug: 'wanted-secret', visibility: 'closed' });
		const people = await Promise.all(Array.from({ length: 4 }, () => buildMember(t.db)));
		const big = await buildNeed(t.db, { group: g, status: 'handed_upstream', supporters: people, components: ['wanted-nova'] });
		const small = await buildNeed(t.db, { group: g, status: 'accepted', supporters: people.slice(0, 1) });
		const middle = await buildNeed(t.db, { group: g, status: 'in_progress', supporters: people.slice(0, 2), components: ['wanted-nova'] });
		const sponsored = await buildNeed(t.db, { group: g, status: 'accepted', supporters: people.slice(0, 3) });
		const championed = await buildNeed(t.db, { group: g, status: 'accepted', supporters: people });
		await buildNeed(t.db, { group: g, status: 'triaged', supporters: people });
		await buildNeed(t.db, { group: g, status: 'delivered', supporters: people });
		const hidden = await buildNeed(t.db, { group: g, status: 'accepted', hiddenAt: new Date(), hiddenReason: 'Spam' });
		const closedNeed = await buildNeed(t.db, { group: secret, status: 'accepted' });
		await volunteer(as(outsider), championed.id, { role: 'champion' });
		await volunteer(as(chair), sponsored.id, { role: 'sponsor' });

		const page = await listNeedsWithoutChampion(as(null), { group: 'wanted-ops' });
		expect(page.needs.map((n) => n.id)).toEqual([big.id, sponsored.id, middle.id, small.id]);
		expect(page.needs.find((n) => n.id === sponsored.id)?.sponsorCount).toBe(1);
		expect(page.needs.map((n) => n.id)).not.toContain(hidden.id);
		expect((await listNeedsWithoutChampion(as(null), { group: 'wanted-ops', component: 'wanted-nova' })).needs.map((n) => n.id)).toEqual([big.id, middle.id]);
		expect((await listNeedsWithoutChampion(as(null), { group: 'wanted-ops', sort: 'oldest' })).needs.map((n) => n.id)).toEqual([
			big.id,
			small.id,
			middle.id,
			sponsored.id
		]);

		// Keyset pages walk the whole list once.
		const first = await listNeedsWithoutChampion(as(null), { group: 'wanted-ops', limit: 3 });
		const second = await listNeedsWithoutChampion(as(null), { group: 'wanted-ops', limit: 3, cursor: first.nextCursor });
		expect([...first.needs, ...second.needs].map((n) => n.id)).toEqual([big.id, sponsored.id, middle.id, small.id]);
		expect(second.nextCursor).toBeNull();

		expect((await listNeedsWithoutChampion(as(outsider), { group: 'wanted-secret' })).needs).toEqual([]);
		expect((await listNeedsWithoutChampion(as(groupMember), { group: 'wanted-secret' })).needs).toEqual([]);
		expect((await listNeedsWithoutChampion(as(chair), { group: 'wanted-secret' })).needs.map((n) => n.id)).toEqual([closedNeed.id]);
		expect(await outcome(listNeedsWithoutChampion(as(null), { cursor: 'top.1.2' }))).toBe('invalid_input');
	});
});
