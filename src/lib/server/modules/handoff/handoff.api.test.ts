import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSiteKey } from '#lib/server/platform/auth/encryption.ts';
import { adoptDatabase, stopRuntime } from '#lib/server/platform/runtime.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { apiRouteModules, callHandler } from '#lib/server/testing/routes.ts';
import { startFakeGitHub, type FakeGitHub } from '#lib/server/testing/trackers/github.ts';
import { startFakeGitLab, type FakeGitLab } from '#lib/server/testing/trackers/gitlab.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { githubSignature } from './providers/github.ts';
import { buildHandoff, buildTracker } from './handoff.factories.ts';
import type { TrackerRow } from './handoff.tables.ts';
import { allowPrivateAddresses } from '#lib/server/platform/http/outgoing.ts';

// The fake trackers listen on 127.0.0.1: allowed here as CAUCUS_ALLOW_PRIVATE_TRACKERS=1 would.
allowPrivateAddresses(true);

/*
 * The JSON doors of handing needs upstream and the trackers' webhook endpoint, called the way SvelteKit
 * calls them: credentials never in an answer, closed needs 404 to outsiders, bad signatures 401 with
 * nothing written.
 */

let t: TestDatabase;
let gh: FakeGitHub;
let gl: FakeGitLab;
let chair: MemberRow, member: MemberRow, outsider: MemberRow;
let tracker: TrackerRow, gitlabTracker: TrackerRow;
const SECRET = 'github-webhook-secret-123';
const GL_SECRET = 'gitlab-webhook-secret-123';

beforeAll(async () => {
	useSiteKey(randomBytes(32));
	t = await createTestDatabase();
	adoptDatabase({ db: t.db, kind: t.kind, close: async () => {} });
	[gh, gl] = await Promise.all([startFakeGitHub(), startFakeGitLab()]);
	chair = await buildMember(t.db);
	member = await buildMember(t.db);
	outsider = await buildMember(t.db);
	tracker = await buildTracker(t.db, { name: 'Nova', baseUrl: gh.url, project: gh.repo, token: gh.token, webhookSecret: SECRET });
	gitlabTracker = await buildTracker(t.db, {
		name: 'Ceph',
		provider: 'gitlab',
		baseUrl: gl.apiUrl,
		project: gl.project,
		token: gl.token,
		webhookSecret: GL_SECRET
	});
});
afterAll(async () => {
	await stopRuntime();
	await gh?.close();
	await gl?.close();
	await t?.close();
	useSiteKey(null);
});

const route = (file: string, method: string) => apiRouteModules[`/src/routes/api/v1/${file}/+server.ts`][method];
async function call(file: string, method: string, path: string, who: MemberRow | null, params: Record<string, string>, body?: unknown) {
	const response = await callHandler(route(file, method), method, path, { actor: who ? toActor(who, 'token') : null, params, body });
	return { status: response.status, json: await response.json() };
}

async function closedNeed() {
	const group = await buildGroup(t.db, { chair, visibility: 'closed' });
	await addMembership(t.db, group, member);
	return buildNeed(t.db, { status: 'accepted', group: { id: group.id, visibility: 'closed' } });
}

async function webhook(trackerId: number, headers: Record<string, string>, body: string) {
	const url = new URL(`http://caucus.test/api/v1/trackers/${trackerId}/webhook`);
	const request = new Request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
	const event = { request, url, params: { id: String(trackerId) }, locals: { actor: null, requestId: 'test', log: { error() {}, warn() {}, info() {} } } };
	const response = await route('trackers/[id]/webhook', 'POST')(event as never);
	return { status: response.status, json: await response.json() };
}

describe('the handoff API', () => {
	it('lists trackers for moderators without credentials, and refuses members', async () => {
		await closedNeed();
		const listed = await call('trackers', 'GET', '/trackers', chair, {});
		expect(listed.status).toBe(200);
		expect(listed.json.trackers.map((x: { name: string }) => x.name)).toEqual(['Ceph', 'Nova']);
		expect(JSON.stringify(listed.json)).not.toMatch(/token|secret|credential/i);
		expect((await call('trackers', 'GET', '/trackers', member, {})).status).toBe(403);
		expect((await call('trackers', 'GET', '/trackers', null, {})).status).toBe(401);
	});

	it('drafts, creates and lists a closed need’s handoff for its chair; outsiders get 404, members 403', async () => {
		const need = await closedNeed();
		const params = { id: String(need.id) };
		const draft = await call('needs/[id]/handoffs/draft', 'POST', `/needs/${need.id}/handoffs/draft`, chair, params, { trackerId: tracker.id, kind: 'bug' });
		expect(draft.status).toBe(200);
		expect(draft.json.draft.fields.labels).toBe('bug');
		expect(
			(await call('needs/[id]/handoffs/draft', 'POST', `/needs/${need.id}/handoffs/draft`, outsider, params, { trackerId: tracker.id, kind: 'bug' })).status
		).toBe(404);
		expect(
			(await call('needs/[id]/handoffs', 'POST', `/needs/${need.id}/handoffs`, member, params, { trackerId: tracker.id, ...draft.json.draft })).status
		).toBe(403);
		const created = await call('needs/[id]/handoffs', 'POST', `/needs/${need.id}/handoffs`, chair, params, { trackerId: tracker.id, ...draft.json.draft });
		expect(created.status).toBe(201);
		expect(created.json).toMatchObject({ status: 'handed_upstream', tracker: { name: 'Nova', provider: 'github' }, linked: false });
		expect((await call('needs/[id]/handoffs', 'GET', `/needs/${need.id}/handoffs`, outsider, params)).status).toBe(404);
		expect((await call('needs/[id]/handoffs', 'GET', `/needs/${need.id}/handoffs`, null, params)).status).toBe(404);
		const asMember = await call('needs/[id]/handoffs', 'GET', `/needs/${need.id}/handoffs`, member, params);
		expect(asMember.json).toMatchObject({ mayHandOff: false, handoffs: [{ upstreamUrl: created.json.upstreamUrl, syncError: null }] });
		gh.setState(Number(created.json.upstreamKey), 'in_progress');
		const synced = await call('needs/[id]/handoffs/sync', 'POST', `/needs/${need.id}/handoffs/sync`, chair, params);
		expect(synced.json.changes[0]).toMatchObject({ to: { status: 'in_progress' }, needStatus: 'in_progress' });
		expect((await call('needs/[id]/handoffs/sync', 'POST', `/needs/${need.id}/handoffs/sync`, member, params)).status).toBe(403);
	});

	it('links by URL and refuses a URL of another tracker with a field error', async () => {
		const need = await closedNeed();
		const params = { id: String(need.id) };
		gl.issues.set(9, {
			iid: 9,
			title: 'Existing',
			description: '',
			state: 'closed',
			labels: [],
			assignees: [],
			milestone: 'v19.2.0',
			updated_at: '2026-11-20T00:00:00Z'
		});
		const wrong = await call('needs/[id]/handoffs/link', 'POST', `/needs/${need.id}/handoffs/link`, chair, params, {
			trackerId: gitlabTracker.id,
			kind: 'bug',
			url: gh.issueUrl(1)
		});
		expect(wrong.status).toBe(400);
		expect(wrong.json.error.fields.url).toMatch(/not the URL of an item in Ceph/);
		const linked = await call('needs/[id]/handoffs/link', 'POST', `/needs/${need.id}/handoffs/link`, chair, params, {
			trackerId: gitlabTracker.id,
			kind: 'bug',
			url: gl.issueUrl(9)
		});
		expect(linked.status).toBe(201);
		expect(linked.json).toMatchObject({ linked: true, status: 'delivered', deliveredIn: 'v19.2.0' });
		expect((await t.db.selectFrom('need').select('status').where('id', '=', need.id).executeTakeFirstOrThrow()).status).toBe('delivered');
	});
});

describe('the trackers’ webhook endpoint', () => {
	it('answers 401 to a bad GitHub signature with nothing written, and applies a good one', async () => {
		const need = await buildNeed(t.db, { status: 'handed_upstream' });
		gh.issues.set(77, {
			number: 77,
			title: 'Hooked',
			body: '',
			state: 'closed',
			state_reason: 'completed',
			labels: [],
			assignees: [],
			milestone: '2027.1',
			updated_at: '2026-11-22T00:00:00Z'
		});
		await buildHandoff(t.db, need, tracker, { key: '77', url: gh.issueUrl(77) });
		const body = JSON.stringify({
			action: 'closed',
			issue: {
				number: 77,
				html_url: gh.issueUrl(77),
				title: 'Hooked',
				state: 'closed',
				state_reason: 'completed',
				milestone: { title: '2027.1' },
				labels: [],
				assignees: [],
				updated_at: '2026-11-22T00:00:00Z'
			},
			repository: { full_name: gh.repo }
		});
		const activityBefore = await t.db.selectFrom('activity').select('id').execute();
		const bad = await webhook(Number(tracker.id), { 'x-github-event': 'issues', 'x-hub-signature-256': githubSignature('wrong-secret', body) }, body);
		expect(bad.status).toBe(401);
		const unsigned = await webhook(Number(tracker.id), { 'x-github-event': 'issues' }, body);
		expect(unsigned.status).toBe(401);
		expect(await t.db.selectFrom('activity').select('id').execute()).toHaveLength(activityBefore.length);
		expect((await t.db.selectFrom('need').select('status').where('id', '=', need.id).executeTakeFirstOrThrow()).status).toBe('handed_upstream');
		const good = await webhook(Number(tracker.id), { 'x-github-event': 'issues', 'x-hub-signature-256': githubSignature(SECRET, body) }, body);
		expect(good).toEqual({ status: 200, json: { received: 1, changed: 1 } });
		expect((await t.db.selectFrom('need').select('status').where('id', '=', need.id).executeTakeFirstOrThrow()).status).toBe('delivered');
		expect((await webhook(999999, {}, '{}')).status).toBe(404);
	});

	it('checks GitLab’s X-Gitlab-Token', async () => {
		const need = await buildNeed(t.db, { status: 'handed_upstream' });
		gl.issues.set(12, {
			iid: 12,
			title: 'Hooked',
			description: '',
			state: 'opened',
			labels: ['doing'],
			assignees: [],
			milestone: null,
			updated_at: '2026-11-22T00:00:00Z'
		});
		await buildHandoff(t.db, need, gitlabTracker, { key: '12', url: gl.issueUrl(12) });
		const body = JSON.stringify({ object_kind: 'issue', project: { path_with_namespace: gl.project }, object_attributes: { iid: 12, state: 'opened' } });
		expect((await webhook(Number(gitlabTracker.id), { 'x-gitlab-event': 'Issue Hook', 'x-gitlab-token': 'wrong' }, body)).status).toBe(401);
		expect((await t.db.selectFrom('need').select('status').where('id', '=', need.id).executeTakeFirstOrThrow()).status).toBe('handed_upstream');
		const good = await webhook(Number(gitlabTracker.id), { 'x-gitlab-event': 'Issue Hook', 'x-gitlab-token': GL_SECRET }, body);
		expect(good.json).toEqual({ received: 1, changed: 1 });
		expect((await t.db.selectFrom('need').select('status').where('id', '=', need.id).executeTakeFirstOrThrow()).status).toBe('in_progress');
	});
});
