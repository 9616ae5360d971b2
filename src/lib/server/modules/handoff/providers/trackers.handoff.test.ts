import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSiteKey } from '#lib/server/platform/auth/encryption.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { startFakeJira, type FakeJira } from '#lib/server/testing/trackers/jira.ts';
import { startFakeLaunchpad, type FakeLaunchpad } from '#lib/server/testing/trackers/launchpad.ts';
import { startFakeStoryBoard, type FakeStoryBoard } from '#lib/server/testing/trackers/storyboard.ts';
import { startFakeGitHttp, type FakeGitHttp } from '#lib/server/testing/trackers/git-http.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { createHandoff, createTracker, draftHandoff, linkHandoff, receiveWebhook, syncNeed } from '../index.ts';
import type { HandoffKind } from '../handoff.tables.ts';
import { allowPrivateAddresses } from '#lib/server/platform/http/outgoing.ts';

// The fake trackers listen on 127.0.0.1: allowed here as CAUCUS_ALLOW_PRIVATE_TRACKERS=1 would.
allowPrivateAddresses(true);

/*
 * The Jira, Launchpad, StoryBoard and specs providers driven through the handoff module itself, on a real database:
 * trackers configured as an administrator would (credentials encrypted), drafts from a need's evidence, items
 * created upstream on the local tracker servers, and their state brought back by a webhook or by polling.
 */

let t: TestDatabase;
let jira: FakeJira;
let launchpad: FakeLaunchpad;
let storyboard: FakeStoryBoard;
let forge: FakeGitHttp;
let admin: MemberRow;
let chair: MemberRow;
let group: GroupRow;
const clock = new TestClock();
const SITE = 'https://caucus.test';
const SECRET = 'jira-webhook-secret-0123456789';

beforeAll(async () => {
	useSiteKey(randomBytes(32));
	t = await createTestDatabase();
	[jira, launchpad, storyboard, forge] = await Promise.all([
		startFakeJira({ email: 'bot@example.org', apiToken: 'jira-token', projects: ['OPS'] }),
		startFakeLaunchpad({ consumerKey: 'caucus', oauthToken: 'lp-token', oauthSecret: 'lp-secret', projects: ['nova'] }),
		startFakeStoryBoard({ token: 'sb-token', projects: [{ id: 2, name: 'openstack/nova' }] }),
		startFakeGitHttp({ username: 'caucus-bot', token: 'git-token' })
	]);
	admin = await buildMember(t.db, { isAdmin: true });
	chair = await buildMember(t.db);
	group = await buildGroup(t.db, { chair, visibility: 'open', name: 'Large Scale SIG' });
});
afterAll(async () => {
	useSiteKey(null);
	await Promise.all([jira?.close(), launchpad?.close(), storyboard?.close(), forge?.close()]);
	await t?.close();
});

const as = (who: MemberRow) => {
	clock.advance(1000);
	return ctxFor(t.db, who, clock);
};
const acceptedNeed = () =>
	buildNeed(t.db, {
		status: 'accepted',
		group: { id: group.id, visibility: 'open' },
		title: `Live-migrate instances with vGPUs ${Math.random().toString(36).slice(2, 8)}`
	});
const handoffOf = (needId: number) => t.db.selectFrom('handoff').selectAll().where('need_id', '=', needId).executeTakeFirstOrThrow();
const needStatus = async (needId: number) => (await t.db.selectFrom('need').select('status').where('id', '=', needId).executeTakeFirstOrThrow()).status;

/** Drafts a handoff as the moderator sees it, then creates it unchanged. */
async function handOff(needId: number, trackerId: number, kind: HandoffKind) {
	const { draft } = await draftHandoff(as(chair), needId, { trackerId, kind }, { siteUrl: SITE });
	expect(draft.body).toContain(`${SITE}/needs/${needId}`);
	return createHandoff(as(chair), needId, { trackerId, kind, title: draft.title, body: draft.body, fields: draft.fields });
}

describe('Handing needs to Jira', () => {
	it('creates the issue in wiki markup and takes its state from a signed webhook', async () => {
		const tracker = await createTracker(as(admin), {
			name: 'Ops Jira',
			provider: 'jira',
			baseUrl: jira.baseUrl,
			project: 'OPS',
			settings: { featureIssueType: 'New Feature', labels: 'caucus ops' },
			credentials: { email: 'bot@example.org', apiToken: 'jira-token' },
			webhookSecret: SECRET
		});
		const need = await acceptedNeed();
		const row = await handOff(need.id, tracker.id, 'feature');
		const issue = jira.issues.get(row.upstreamKey)!;
		expect(issue).toMatchObject({ project: 'OPS', issueType: 'New Feature', labels: ['caucus', 'ops'] });
		expect(issue.description).toContain('h2. Who needs this');
		expect(row).toMatchObject({ status: 'handed_upstream', upstreamUrl: `${jira.baseUrl}/browse/${row.upstreamKey}` });

		jira.transition(row.upstreamKey, { status: 'Done', category: 'done', resolution: 'Done', fixVersion: '2027.1' });
		const forged = await receiveWebhook(t.db, tracker.id, jira.webhook(row.upstreamKey, 'not-the-secret'), clock.now).then(
			() => null,
			(error: { code: string }) => error.code
		);
		expect(forged).toBe('unauthenticated');
		expect((await handoffOf(need.id)).status).toBe('handed_upstream');

		const result = await receiveWebhook(t.db, tracker.id, jira.webhook(row.upstreamKey, SECRET), clock.now);
		expect(result.changed).toHaveLength(1);
		expect(await handoffOf(need.id)).toMatchObject({ status: 'delivered', delivered_in: '2027.1', upstream_state: 'Done' });
		expect(await needStatus(need.id)).toBe('delivered');
	});

	it('links an existing issue by its browse URL', async () => {
		const tracker = await createTracker(as(admin), {
			name: 'Ops Jira (links)',
			provider: 'jira',
			baseUrl: jira.baseUrl,
			project: 'OPS',
			credentials: { email: 'bot@example.org', apiToken: 'jira-token' }
		});
		const existing = [...jira.issues.values()][0];
		const need = await acceptedNeed();
		const row = await linkHandoff(as(chair), need.id, { trackerId: tracker.id, kind: 'bug', url: `${jira.baseUrl}/browse/${existing.key}` });
		expect(row).toMatchObject({ upstreamKey: existing.key, linked: true });
	});
});

describe('Handing needs to Launchpad', () => {
	it('files a bug and polls it to delivered in its milestone', async () => {
		const tracker = await createTracker(as(admin), {
			name: 'Nova on Launchpad',
			provider: 'launchpad',
			baseUrl: launchpad.baseUrl,
			project: 'nova',
			credentials: { consumerKey: 'caucus', oauthToken: 'lp-token', oauthSecret: 'lp-secret' }
		});
		const need = await acceptedNeed();
		const row = await handOff(need.id, tracker.id, 'bug');
		expect(launchpad.bugs.get(Number(row.upstreamKey))?.tags).toEqual(['caucus']);
		launchpad.setBugTask(Number(row.upstreamKey), { status: 'Fix Released', milestone: '2027.1' });
		expect(await syncNeed(as(chair), need.id)).toHaveLength(1);
		expect(await handoffOf(need.id)).toMatchObject({ status: 'delivered', delivered_in: '2027.1', upstream_state: 'Fix Released' });
	});

	it('registers a blueprint', async () => {
		const tracker = await createTracker(as(admin), {
			name: 'Nova blueprints',
			provider: 'launchpad',
			baseUrl: launchpad.baseUrl,
			project: 'nova',
			credentials: { consumerKey: 'caucus', oauthToken: 'lp-token', oauthSecret: 'lp-secret' }
		});
		const need = await acceptedNeed();
		const row = await handOff(need.id, tracker.id, 'blueprint');
		expect(row.upstreamKey).toMatch(/^\+spec\/live-migrate-instances-with-vgpus-/);
	});
});

describe('Handing needs to StoryBoard', () => {
	it('creates a story with a task and polls it to declined', async () => {
		const tracker = await createTracker(as(admin), {
			name: 'Nova on StoryBoard',
			provider: 'storyboard',
			baseUrl: storyboard.baseUrl,
			project: 'openstack/nova',
			credentials: { token: 'sb-token' }
		});
		const need = await acceptedNeed();
		const row = await handOff(need.id, tracker.id, 'feature');
		expect(row.upstreamUrl).toBe(`${storyboard.webUrl}/#!/story/${row.upstreamKey}`);
		storyboard.setTaskStatus(Number(row.upstreamKey), 'invalid');
		await syncNeed(as(chair), need.id);
		expect((await handoffOf(need.id)).status).toBe('declined_upstream');
		expect(await needStatus(need.id)).toBe('declined');
	});
});

describe('Handing needs to a specs repository', () => {
	it('pushes the spec on a branch over HTTPS-style auth and follows review to implemented', async () => {
		const tracker = await createTracker(as(admin), {
			name: 'nova-specs',
			provider: 'specs',
			baseUrl: forge.url,
			project: 'openstack/nova-specs',
			settings: { cycle: '2027.1', webUrl: 'https://opendev.org/openstack/nova-specs/src/branch/{branch}/{path}' },
			credentials: { username: 'caucus-bot', token: 'git-token' }
		});
		const need = await acceptedNeed();
		const row = await handOff(need.id, tracker.id, 'spec');
		const [branch, path] = [row.upstreamKey.slice(0, row.upstreamKey.indexOf(':')), row.upstreamKey.slice(row.upstreamKey.indexOf(':') + 1)];
		expect(path).toMatch(/^specs\/2027\.1\/approved\/live-migrate-instances-with-vgpus-.*\.rst$/);
		expect(row.status).toBe('handed_upstream');

		forge.run('fetch', '--quiet', 'origin');
		forge.run('merge', '--quiet', '--no-ff', '-m', 'Merge the spec', `origin/${branch}`);
		forge.run('mv', path, path.replace('/approved/', '/implemented/'));
		forge.run('commit', '--quiet', '-m', 'Implemented');
		forge.run('push', '--quiet', 'origin', 'master');
		await syncNeed(as(chair), need.id);
		expect(await handoffOf(need.id)).toMatchObject({ status: 'delivered', delivered_in: '2027.1', upstream_state: 'implemented' });
	});
});
