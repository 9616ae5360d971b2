import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { getNeedChampions, linkChange, listNeedsWithoutChampion, removeChampion, setChangeState, volunteer, withdraw } from './index.ts';
import { buildChampion, buildSponsor, buildUpstreamChange } from './champions.factories.ts';

let t: TestDatabase;
let chair: MemberRow, member: MemberRow;
const clock = new TestClock();
const as = (who: MemberRow | null) => {
	clock.advance(1000);
	return ctxFor(t.db, who, clock);
};

beforeAll(async () => {
	t = await createTestDatabase();
	chair = await buildMember(t.db);
	member = await buildMember(t.db);
});
afterAll(() => t?.close());

describe('champions factories', () => {
	it('with no overrides: a standing champion of a new accepted need, read like a volunteer', async () => {
		const row = await buildChampion(t.db);
		expect(row).toMatchObject({ role: 'champion', ended_at: null, ended_by: null, end_reason: null });
		const page = await getNeedChampions(as(null), row.need_id);
		expect(page.champions.map((c) => c.member.id)).toEqual([row.member_id]);
		expect(page.sponsors).toEqual([]);
	});

	it('a built champion is the member’s standing role to the commands: volunteering again conflicts, withdrawing works', async () => {
		const need = await buildNeed(t.db, { status: 'accepted' });
		await buildChampion(t.db, { need, member, note: 'I will write it.' });
		await expect(volunteer(as(member), need.id, { role: 'sponsor' })).rejects.toMatchObject({ code: 'conflict' });
		const page = await getNeedChampions(as(member), need.id);
		expect(page.viewer?.role).toBe('champion');
		expect(page.abilities).toMatchObject({ volunteer: false, withdraw: true, linkChanges: true });
		await withdraw(as(member), need.id);
		expect((await getNeedChampions(as(member), need.id)).champions).toEqual([]);
		// One standing role per member and need, ended ones aside: the table still says so.
		await buildChampion(t.db, { need, member, role: 'sponsor' });
		await expect(buildChampion(t.db, { need, member })).rejects.toThrow();
	});

	it('ended roles: withdrawn by the member by default, removed with a reason when told; neither stands', async () => {
		const need = await buildNeed(t.db, { status: 'accepted' });
		const gone = await buildChampion(t.db, { need, endedAt: new Date('2026-11-20T00:00:00Z') });
		expect(gone.ended_by).toBe(gone.member_id);
		const removed = await buildSponsor(t.db, { need, endedAt: new Date('2026-11-21T00:00:00Z'), endedBy: chair, endReason: 'Left the project.' });
		expect(removed).toMatchObject({ role: 'sponsor', ended_by: chair.id, end_reason: 'Left the project.' });
		const page = await getNeedChampions(as(null), need.id);
		expect([...page.champions, ...page.sponsors]).toEqual([]);
		// Without a standing champion, the need is wanted again.
		expect((await listNeedsWithoutChampion(as(null), { limit: 100 })).needs.map((n) => n.id)).toContain(need.id);
	});

	it('a built sponsor and change in a group the commands then act on: a moderator removes, the sponsor changes the state', async () => {
		const group = await buildGroup(t.db, { chair });
		await addMembership(t.db, group, member);
		const need = await buildNeed(t.db, { group, status: 'accepted' });
		const sponsor = await buildSponsor(t.db, { need, member });
		const change = await buildUpstreamChange(t.db, { need, url: 'https://review.opendev.org/c/openstack/nova/+/912345', addedBy: member });
		expect(change).toMatchObject({
			forge: 'gerrit',
			host: 'review.opendev.org',
			project: 'openstack/nova',
			number: 912345,
			state: 'open',
			state_changed_by: member.id
		});
		const changed = await setChangeState(as(member), change.id, { state: 'merged' });
		expect(changed.state).toBe('merged');
		// The same address again is the same change: the command and the table both refuse it.
		await expect(linkChange(as(member), need.id, { url: 'https://review.opendev.org/c/openstack/nova/+/912345' })).rejects.toMatchObject({ code: 'conflict' });
		await expect(buildUpstreamChange(t.db, { need, url: 'https://review.opendev.org/c/openstack/nova/+/912345' })).rejects.toThrow();
		await removeChampion(
			as(chair),
			need.id,
			(await t.db.selectFrom('member').select('handle').where('id', '=', sponsor.member_id).executeTakeFirstOrThrow()).handle,
			{ reason: 'Not active.' }
		);
		const page = await getNeedChampions(as(null), need.id);
		expect(page.sponsors).toEqual([]);
		expect(page.changes.map((c) => [c.url, c.state])).toEqual([['https://review.opendev.org/c/openstack/nova/+/912345', 'merged']]);
	});

	it('defaults to a new GitHub pull request, and refuses an address that is not an upstream change', async () => {
		const change = await buildUpstreamChange(t.db);
		expect(change).toMatchObject({ forge: 'github', host: 'github.com', project: 'openstack/nova', state: 'open' });
		expect(typeof change.number).toBe('number');
		await expect(buildUpstreamChange(t.db, { url: 'https://example.org/not/a/change' })).rejects.toThrow(/not a Gerrit change/);
	});
});
