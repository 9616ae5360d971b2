import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import {
	createHandoff,
	createTracker,
	draftHandoff,
	getSandboxIssue,
	linkHandoff,
	listHandoffsOfNeed,
	listSandboxIssues,
	listTrackerChoices,
	moveSandboxIssue,
	queueTrackerSyncs,
	syncNeed
} from './index.ts';
import { runDueJobs } from '#lib/server/platform/jobs/index.ts';

/*
 * The sandbox tracker (decision 0020), through the handoff module like any tracker: configured by an
 * administrator without an address or credentials, handed to by a chair, its issue moved by whoever plays
 * the developers, and the need moved by a sync. No network anywhere.
 */

let t: TestDatabase;
let admin: MemberRow;
let chair: MemberRow;
let member: MemberRow;
let outsider: MemberRow;
let open: GroupRow;
let closed: GroupRow;
let trackerId: number;
const clock = new TestClock();

beforeAll(async () => {
	t = await createTestDatabase();
	admin = await buildMember(t.db, { isAdmin: true });
	chair = await buildMember(t.db);
	member = await buildMember(t.db);
	outsider = await buildMember(t.db);
	open = await buildGroup(t.db, { chair, visibility: 'open', name: 'Large Scale SIG' });
	closed = await buildGroup(t.db, { chair, visibility: 'closed', name: 'Security SIG' });
	await addMembership(t.db, open, member);
	await addMembership(t.db, closed, member);
	const tracker = await createTracker(as(admin), { name: 'Practice', provider: 'sandbox', project: 'openstack (practice)' });
	trackerId = tracker.id;
});
afterAll(async () => {
	await t?.close();
});

const as = (who: MemberRow | null) => {
	clock.advance(60_000);
	return ctxFor(t.db, who, clock);
};
const acceptedNeed = (group: GroupRow = open) =>
	buildNeed(t.db, {
		status: 'accepted',
		group: { id: group.id, visibility: group.visibility },
		title: `Live-migrate instances with vGPUs ${Math.random().toString(36).slice(2, 8)}`,
		body: 'Instances with **vGPUs** cannot be live migrated.'
	});
const needStatus = async (needId: number) => (await t.db.selectFrom('need').select('status').where('id', '=', needId).executeTakeFirstOrThrow()).status;
async function failure(promise: Promise<unknown>): Promise<AppError> {
	try {
		await promise;
	} catch (error) {
		if (error instanceof AppError) return error;
		throw error;
	}
	throw new Error('expected a refusal');
}
async function handOff(needId: number) {
	const { draft, tracker } = await draftHandoff(as(chair), needId, { trackerId, kind: 'feature' }, { siteUrl: 'https://caucus.test' });
	expect(tracker.provider).toBe('sandbox');
	return createHandoff(as(chair), needId, { trackerId, kind: 'feature', title: draft.title, body: draft.body, fields: draft.fields });
}

describe('The sandbox tracker', () => {
	it('is configured with a name and a project only, and offered to chairs marked as a sandbox', async () => {
		const stored = await t.db.selectFrom('tracker').selectAll().where('id', '=', trackerId).executeTakeFirstOrThrow();
		expect(stored).toMatchObject({ provider: 'sandbox', base_url: '', credentials_encrypted: null, disabled_at: null });
		const choices = await listTrackerChoices(as(chair));
		expect(choices.find((c) => c.id === trackerId)).toMatchObject({ sandbox: true, providerLabel: expect.stringMatching(/Sandbox/) });
		// Every other provider still needs its address.
		expect((await failure(createTracker(as(admin), { name: 'Nova', provider: 'github', project: 'openstack/nova' }))).fields.baseUrl).toBeTruthy();
	});

	it('takes a handoff: the issue is created inside Caucus with the draft, linked to the need, which is handed upstream', async () => {
		const need = await acceptedNeed();
		const handoff = await handOff(need.id);
		expect(handoff).toMatchObject({
			upstreamKey: '1',
			upstreamUrl: `/sandbox/${trackerId}/issues/1`,
			upstreamState: 'New',
			status: 'handed_upstream',
			tracker: { sandbox: true }
		});
		expect(await needStatus(need.id)).toBe('handed_upstream');
		const { issue } = await getSandboxIssue(as(member), trackerId, 1);
		expect(issue).toMatchObject({
			title: need.title,
			state: 'new',
			labels: ['enhancement'],
			needs: [{ id: need.id, mayHandOff: false }],
			abilities: { move: false }
		});
		expect(issue.body).toContain('Instances with **vGPUs**');
		expect(issue.body).toContain(`https://caucus.test/needs/${need.id}`);
		expect(issue.openedBy?.handle).toBe(chair.handle);
		// A second need gets the next number.
		expect((await handOff((await acceptedNeed()).id)).upstreamKey).toBe('2');
	});

	it('moves when the developers are played, and the need follows at the next sync', async () => {
		const need = await acceptedNeed();
		const number = Number((await handOff(need.id)).upstreamKey);
		expect((await failure(moveSandboxIssue(as(member), trackerId, number, { state: 'in_progress' }))).code).toBe('forbidden');
		expect((await failure(moveSandboxIssue(as(chair), trackerId, number, { state: 'done' as never }))).fields.state).toBeTruthy();

		await moveSandboxIssue(as(chair), trackerId, number, { state: 'in_progress', milestone: '2027.1', note: 'A patch is up.' });
		// Nothing moves until Caucus reads the tracker, as with a real tracker without webhooks.
		expect(await needStatus(need.id)).toBe('handed_upstream');
		const changes = await syncNeed(as(chair), need.id);
		expect(changes).toEqual([
			expect.objectContaining({ to: { state: 'In progress', status: 'in_progress', deliveredIn: '2027.1' }, needStatus: 'in_progress' })
		]);
		expect(await needStatus(need.id)).toBe('in_progress');

		await moveSandboxIssue(as(admin), trackerId, number, { state: 'fixed', milestone: '2027.1' });
		// The poll job reads it too.
		await queueTrackerSyncs(as(null), { trackerId, all: true });
		await runDueJobs(t.db, { now: clock.now, kinds: ['handoff.sync'] });
		expect(await needStatus(need.id)).toBe('delivered');
		const { handoffs } = await listHandoffsOfNeed(as(member), need.id);
		expect(handoffs[0]).toMatchObject({ upstreamState: 'Fixed', status: 'delivered', deliveredIn: '2027.1' });
		const { issue } = await getSandboxIssue(as(chair), trackerId, number);
		expect(issue.events.map((e) => [e.state, e.actor?.handle, e.note])).toEqual([
			['in_progress', chair.handle, 'A patch is up.'],
			['fixed', admin.handle, '']
		]);

		await moveSandboxIssue(as(chair), trackerId, number, { state: 'wont_fix' });
		await syncNeed(as(chair), need.id);
		// The developers may still change their mind: "Won't fix" declines the handoff upstream.
		expect((await listHandoffsOfNeed(as(chair), need.id)).handoffs[0].status).toBe('declined_upstream');
	});

	it('links an existing sandbox issue by its address, on any origin, and refuses another tracker’s', async () => {
		const first = await acceptedNeed();
		const number = Number((await handOff(first.id)).upstreamKey);
		const other = await acceptedNeed();
		const refused = await failure(
			linkHandoff(as(chair), other.id, { trackerId, kind: 'bug', url: `https://caucus.example/sandbox/${trackerId + 1}/issues/${number}` })
		);
		expect(refused.fields.url).toMatch(/not the URL of an item/);
		const taken = await failure(
			linkHandoff(as(chair), other.id, { trackerId, kind: 'bug', url: `https://caucus.example/sandbox/${trackerId}/issues/${number}` })
		);
		expect(taken.code).toBe('conflict');
		const missing = await failure(linkHandoff(as(chair), other.id, { trackerId, kind: 'bug', url: `https://caucus.example/sandbox/${trackerId}/issues/999` }));
		expect(missing.fields.url).toMatch(/no issue #999/);
	});

	it('shows a closed group’s issue only to those who may read its need', async () => {
		const need = await acceptedNeed(closed);
		const number = Number((await handOff(need.id)).upstreamKey);
		expect((await getSandboxIssue(as(member), trackerId, number)).issue.title).toBe(need.title);
		for (const who of [outsider, null]) {
			expect((await failure(getSandboxIssue(as(who), trackerId, number))).code).toBe('not_found');
			expect((await listSandboxIssues(as(who), trackerId)).issues.map((i) => i.number)).not.toContain(number);
		}
		expect((await listSandboxIssues(as(admin), trackerId)).issues.map((i) => i.number)).toContain(number);
		expect((await failure(getSandboxIssue(as(admin), trackerId, 9999))).code).toBe('not_found');
	});
});
