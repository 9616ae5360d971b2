import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { enqueueJob, runDueJobs } from '#lib/server/platform/jobs/index.ts';
import { linkChange } from './champions.commands.ts';
import { refreshGithubChanges } from './champions.refresh.ts';
import { allowPrivateAddresses } from '#lib/server/platform/http/outgoing.ts';

// The local GitHub API server listens on 127.0.0.1: allowed here as CAUCUS_ALLOW_PRIVATE_TRACKERS=1 would.
allowPrivateAddresses(true);

/*
 * The GitHub refresher against a local server that answers GET /repos/{owner}/{repo}/pulls/{number} the
 * way GitHub's REST API does (only the fields the refresher reads).
 */

let t: TestDatabase;
let github: Server;
let apiBase: string;
const pulls = new Map<number, { state: 'open' | 'closed'; merged_at: string | null } | 'missing' | 'rate-limited'>();
const asked: string[] = [];
const clock = new TestClock();

beforeAll(async () => {
	t = await createTestDatabase();
	github = createServer((req, res) => {
		asked.push(req.url ?? '');
		const match = /^\/repos\/openstack\/nova\/pulls\/(\d+)$/.exec(req.url ?? '');
		const pull = match ? pulls.get(Number(match[1])) : undefined;
		if (pull === 'rate-limited') {
			res.writeHead(403, { 'content-type': 'application/json', 'x-ratelimit-remaining': '0' }).end(JSON.stringify({ message: 'API rate limit exceeded' }));
			return;
		}
		if (!pull || pull === 'missing') {
			res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Not Found' }));
			return;
		}
		res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ number: Number(match![1]), ...pull }));
	});
	await new Promise<void>((resolve) => github.listen(0, '127.0.0.1', resolve));
	apiBase = `http://127.0.0.1:${(github.address() as AddressInfo).port}`;
});
afterAll(async () => {
	await new Promise((resolve) => github?.close(resolve));
	await t?.close();
});

async function linked(number: number) {
	const chair = await buildMember(t.db);
	const group = await buildGroup(t.db, { chair });
	const need = await buildNeed(t.db, { group, status: 'accepted' });
	return linkChange(ctxFor(t.db, chair, clock), need.id, { url: `https://github.com/openstack/nova/pull/${number}` });
}
const stateOf = async (id: number) =>
	await t.db.selectFrom('upstream_change').select(['state', 'checked_at', 'state_changed_by']).where('id', '=', id).executeTakeFirstOrThrow();

describe('refreshing GitHub pull requests', () => {
	it('moves merged and closed pull requests, leaves open and vanished ones, and records what it changed', async () => {
		const merged = await linked(101);
		const closed = await linked(102);
		const open = await linked(103);
		const gone = await linked(104);
		const gerrit = await linkChange(ctxFor(t.db, await buildMember(t.db, { isAdmin: true }), clock), (await buildNeed(t.db, { status: 'accepted' })).id, {
			url: 'https://review.opendev.org/c/openstack/nova/+/5'
		});
		pulls.set(101, { state: 'closed', merged_at: '2026-11-20T10:00:00Z' });
		pulls.set(102, { state: 'closed', merged_at: null });
		pulls.set(103, { state: 'open', merged_at: null });
		pulls.set(104, 'missing');

		const lines = await refreshGithubChanges({ db: t.db, now: clock.now }, { apiBase });
		expect(lines).toEqual([
			`Need #${merged.needId}: PR #101 (openstack/nova) is merged on GitHub.`,
			`Need #${closed.needId}: PR #102 (openstack/nova) is abandoned on GitHub.`
		]);
		expect(await stateOf(merged.id)).toMatchObject({ state: 'merged', state_changed_by: null, checked_at: clock.now() });
		expect((await stateOf(closed.id)).state).toBe('abandoned');
		expect(await stateOf(open.id)).toMatchObject({ state: 'open', checked_at: clock.now() });
		expect(await stateOf(gone.id)).toMatchObject({ state: 'open', checked_at: clock.now() });
		expect((await stateOf(gerrit.id)).checked_at).toBeNull();
		expect(asked).not.toContain('/repos/openstack/nova/pulls/5');
		const events = await t.db.selectFrom('activity').select(['subject_id', 'data']).where('action', '=', 'need.change_state_changed').orderBy('id').execute();
		expect(events.map((e) => [e.subject_id, e.data.to, e.data.via])).toEqual([
			[merged.needId, 'merged', 'github'],
			[closed.needId, 'abandoned', 'github']
		]);
	});

	it('runs as a job, and a rate limit fails the run for a later retry without losing what was read', async () => {
		const first = await linked(201);
		const second = await linked(202);
		await t.db
			.updateTable('upstream_change')
			.set({ checked_at: new Date('2026-01-01T00:00:00Z') })
			.where('id', 'not in', [first.id, second.id])
			.execute();
		pulls.set(201, { state: 'closed', merged_at: '2026-11-21T00:00:00Z' });
		pulls.set(202, 'rate-limited');
		await enqueueJob({ db: t.db, now: clock.now }, 'champions.refresh_github', { payload: { apiBase } });
		const [outcome] = await runDueJobs(t.db, { now: clock.now, kinds: ['champions.refresh_github'] });
		expect(outcome).toMatchObject({ outcome: 'retry', error: expect.stringContaining('rate limit') });
		expect((await stateOf(first.id)).state).toBe('merged');
		expect((await stateOf(second.id)).state).toBe('open');
	});
});
