import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSiteKey } from '#lib/server/platform/auth/encryption.ts';
import { ensureRecurringJobs, runDueJobs } from '#lib/server/platform/jobs/index.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { startFakeGitHub, type FakeGitHub } from '#lib/server/testing/trackers/github.ts';
import { githubSignature } from './providers/github.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { supportNeed, followNeed, publishNeed } from '#lib/server/modules/needs/index.ts';
import {
	createHandoff,
	createTracker,
	draftHandoff,
	getHandoffPage,
	getTrackerForAdmin,
	linkHandoff,
	listHandoffsOfNeed,
	listTrackerChoices,
	listTrackersForAdmin,
	needStatusFromHandoffs,
	POLL_EVERY_MS,
	queueTrackerSyncs,
	receiveWebhook,
	setTrackerEnabled,
	syncNeed,
	updateTracker,
	type CreateHandoffInput
} from './index.ts';
import { buildTracker } from './handoff.factories.ts';
import type { TrackerRow } from './handoff.tables.ts';
import { allowPrivateAddresses } from '#lib/server/platform/http/outgoing.ts';
import { untrusted } from '#lib/server/platform/errors.ts';

// The fake trackers listen on 127.0.0.1: allowed here as CAUCUS_ALLOW_PRIVATE_TRACKERS=1 would.
allowPrivateAddresses(true);

let t: TestDatabase;
let gh: FakeGitHub;
let tracker: TrackerRow;
const SECRET = 'webhook-secret-0123456789';
const SITE = 'https://caucus.test';
const clock = new TestClock();
let admin: MemberRow, outsider: MemberRow;
const roles: Record<'open' | 'closed', { group: GroupRow; chair: MemberRow; moderator: MemberRow; member: MemberRow }> = {} as never;

const siteKey = randomBytes(32);
beforeAll(async () => {
	useSiteKey(siteKey);
	t = await createTestDatabase();
	gh = await startFakeGitHub();
	admin = await buildMember(t.db, { isAdmin: true });
	outsider = await buildMember(t.db);
	for (const visibility of ['open', 'closed'] as const) {
		const chair = await buildMember(t.db);
		const moderator = await buildMember(t.db);
		const member = await buildMember(t.db);
		const group = await buildGroup(t.db, { chair, visibility, name: `${visibility} SIG` });
		await addMembership(t.db, group, moderator, { role: 'moderator' });
		await addMembership(t.db, group, member);
		roles[visibility] = { group, chair, moderator, member };
	}
	tracker = await buildTracker(t.db, { name: 'Nova', baseUrl: gh.url, project: gh.repo, token: gh.token, webhookSecret: SECRET });
});
afterAll(async () => {
	useSiteKey(null);
	await gh?.close();
	await t?.close();
});

const as = (who: MemberRow | null) => {
	clock.advance(1000);
	return ctxFor(t.db, who, clock);
};
const failure = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(error: unknown) => error as { code: string; fields: Record<string, string>; message: string }
	);
const needRow = (id: number) => t.db.selectFrom('need').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const history = (id: number) => t.db.selectFrom('need_status_change').selectAll().where('need_id', '=', id).orderBy('id').execute();
const draftOf = (trackerId = Number(tracker.id)): CreateHandoffInput => ({
	trackerId,
	kind: 'feature',
	title: 'Quota per availability zone',
	body: 'Operators need it.',
	fields: { labels: 'operators' }
});
const acceptedNeed = (visibility: 'open' | 'closed' | null = 'open') =>
	buildNeed(t.db, { status: 'accepted', group: visibility ? { id: roles[visibility].group.id, visibility } : null, title: `Accepted need ${Math.random()}` });

describe('trackers, configured by administrators', () => {
	it('stores credentials and webhook secret encrypted and only ever says whether they are set', async () => {
		const created = await createTracker(as(admin), {
			name: 'Cinder on GitHub',
			provider: 'github',
			baseUrl: 'https://api.github.com/',
			project: 'openstack/cinder',
			settings: { labels: 'operators', unknown: 'dropped' },
			credentials: { token: 'ghp_verysecret' },
			webhookSecret: 'a-long-webhook-secret-value'
		});
		expect(created).toMatchObject({
			baseUrl: 'https://api.github.com',
			credentialsSet: { token: true },
			webhookSecretSet: true,
			settings: { labels: 'operators' }
		});
		expect(JSON.stringify(created)).not.toContain('verysecret');
		expect(JSON.stringify(created)).not.toContain('long-webhook');
		const row = await t.db.selectFrom('tracker').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
		expect(row.credentials_encrypted).not.toContain('verysecret');
		expect(row.webhook_secret_encrypted).not.toContain('long-webhook');
		const listed = JSON.stringify(await listTrackersForAdmin(as(admin)));
		expect(listed).not.toContain('verysecret');
		const activity = await t.db.selectFrom('activity').select('data').where('subject_type', '=', 'tracker').execute();
		expect(JSON.stringify(activity)).not.toContain('verysecret');

		// Blank fields keep what is stored; a new value replaces it; clearing removes it.
		const kept = await updateTracker(as(admin), created.id, {
			name: 'Cinder',
			provider: 'github',
			baseUrl: 'https://api.github.com',
			project: 'openstack/cinder',
			credentials: { token: '' }
		});
		expect(kept.credentialsSet.token).toBe(true);
		expect(kept.webhookSecretSet).toBe(true);
		const cleared = await updateTracker(as(admin), created.id, {
			name: 'Cinder',
			provider: 'github',
			baseUrl: 'https://api.github.com',
			project: 'openstack/cinder',
			clearCredentials: 'on',
			clearWebhookSecret: 'on'
		});
		expect(cleared).toMatchObject({ credentialsSet: { token: false }, webhookSecretSet: false });
		const disabled = await setTrackerEnabled(as(admin), created.id, { enabled: false });
		expect(disabled.enabled).toBe(false);
		expect((await listTrackerChoices(as(roles.open.chair))).map((c) => c.id)).not.toContain(created.id);
	});

	it('says so, and refuses to use them, when stored credentials cannot be read with the site key', async () => {
		const key = randomBytes(32);
		useSiteKey(randomBytes(32));
		const other = await buildTracker(t.db, { name: 'Old key', baseUrl: gh.url, project: gh.repo, token: gh.token });
		useSiteKey(key);
		try {
			expect((await getTrackerForAdmin(as(admin), Number(other.id))).problem).toMatch(/CAUCUS_SECRET_KEY/);
			const need = await acceptedNeed(null);
			const refused = await failure(linkHandoff(as(admin), need.id, { trackerId: other.id, kind: 'bug', url: gh.issueUrl(1) }));
			expect(refused?.fields.url).toMatch(/an administrator must enter them again/);
		} finally {
			useSiteKey(siteKey);
		}
	});

	it('refuses bad input with field errors and a name already taken', async () => {
		const bad = await failure(createTracker(as(admin), untrusted({ name: 'x', provider: 'svn', baseUrl: 'ftp://x', project: '' })));
		expect(bad?.code).toBe('invalid_input');
		expect(Object.keys(bad!.fields).sort()).toEqual(['baseUrl', 'name', 'project', 'provider']);
		const taken = await failure(createTracker(as(admin), { name: 'Nova', provider: 'github', baseUrl: 'https://api.github.com', project: 'a/b' }));
		expect(taken?.fields.name).toMatch(/Another tracker/);
		const shortSecret = await failure(
			createTracker(as(admin), { name: 'Short', provider: 'github', baseUrl: 'https://api.github.com', project: 'a/b', webhookSecret: 'short' })
		);
		expect(shortSecret?.fields.webhookSecret).toBeTruthy();
	});

	it('is for administrators only; moderators list enabled trackers without credentials', async () => {
		for (const who of [roles.open.chair, roles.open.member, outsider]) {
			expect((await failure(createTracker(as(who), { name: 'Nope', provider: 'github', baseUrl: 'https://api.github.com', project: 'a/b' })))?.code).toBe(
				'forbidden'
			);
			expect((await failure(getTrackerForAdmin(as(who), Number(tracker.id))))?.code).toBe('forbidden');
		}
		expect((await failure(listTrackersForAdmin(as(null))))?.code).toBe('unauthenticated');
		const choices = await listTrackerChoices(as(roles.closed.moderator));
		expect(choices.map((c) => c.name)).toContain('Nova');
		expect(Object.keys(choices[0]).sort()).toEqual(['baseUrl', 'enabled', 'id', 'kinds', 'name', 'project', 'provider', 'providerLabel', 'sandbox']);
		expect((await failure(listTrackerChoices(as(roles.open.member))))?.code).toBe('forbidden');
	});
});

describe('handing a need upstream', () => {
	it('drafts with the need’s evidence, creates the issue, moves the need with a history entry and tells its supporters', async () => {
		const supporter = await buildMember(t.db, { organization: 'CERN' });
		const follower = await buildMember(t.db);
		const need = await acceptedNeed('open');
		await supportNeed(as(supporter), need.id, { impact: 'We patch by hand.' });
		await followNeed(as(follower), need.id);
		const { draft, evidence } = await draftHandoff(as(roles.open.moderator), need.id, { trackerId: tracker.id, kind: 'feature' }, { siteUrl: SITE });
		expect(evidence.support.people).toBe(1);
		expect(evidence.impacts[0]).toEqual({ member: `${supporter.display_name} (CERN)`, note: 'We patch by hand.' });
		expect(draft.body).toContain(`${SITE}/needs/${need.id}`);
		const row = await createHandoff(as(roles.open.moderator), need.id, { ...draft, trackerId: tracker.id, title: 'Edited title', fields: draft.fields });
		expect(row).toMatchObject({ status: 'handed_upstream', upstreamState: 'open', linked: false, tracker: { id: tracker.id, name: 'Nova' } });
		expect(gh.issues.get(Number(row.upstreamKey))?.title).toBe('Edited title');
		expect((await needRow(need.id)).status).toBe('handed_upstream');
		const [entry] = await history(need.id);
		expect(entry).toMatchObject({ from_status: 'accepted', to_status: 'handed_upstream', actor_id: roles.open.moderator.id });
		expect(entry.reason).toBe(`Handed upstream to Nova #${row.upstreamKey}.`);
		const told = await t.db
			.selectFrom('notification')
			.select('member_id')
			.where('kind', '=', 'need.handed_upstream')
			.where('subject_id', '=', need.id)
			.execute();
		expect(told.map((n) => n.member_id).sort()).toEqual([supporter.id, follower.id].sort());
		// A second handoff to the same tracker is refused.
		expect((await failure(createHandoff(as(roles.open.moderator), need.id, draftOf())))?.code).toBe('conflict');
	});

	it('shows a tracker refusal to the moderator and writes nothing', async () => {
		const broken = await buildTracker(t.db, { name: 'Wrong token', baseUrl: gh.url, project: gh.repo, token: 'not-the-token' });
		const need = await acceptedNeed('open');
		const before = gh.issues.size;
		const refused = await failure(createHandoff(as(roles.open.chair), need.id, draftOf(Number(broken.id))));
		expect(refused?.code).toBe('invalid_input');
		expect(refused?.message).toMatch(/refused the credentials/);
		expect(gh.issues.size).toBe(before);
		expect(await t.db.selectFrom('handoff').select('id').where('need_id', '=', need.id).execute()).toHaveLength(0);
		expect((await needRow(need.id)).status).toBe('accepted');
	});

	it('an item created upstream whose handoff cannot be written is kept, and trying again links it instead of creating another', async () => {
		const need = await acceptedNeed('open');
		// While GitHub creates the issue, another moderator declines the need: the write after it is refused.
		gh.beforeCreate = async () => {
			await t.db.updateTable('need').set({ status: 'declined' }).where('id', '=', need.id).execute();
		};
		const before = gh.issues.size;
		const refused = await failure(createHandoff(as(roles.open.chair), need.id, draftOf()));
		gh.beforeCreate = null;
		expect(gh.issues.size).toBe(before + 1);
		const url = gh.issueUrl(before + 1);
		expect(refused?.code).toBe('conflict');
		expect(refused?.message).toContain(url);
		expect(await t.db.selectFrom('handoff').select('id').where('need_id', '=', need.id).execute()).toHaveLength(0);
		const orphan = await t.db
			.selectFrom('job')
			.selectAll()
			.where('kind', '=', 'handoff.orphan')
			.where('dedupe_key', '=', `handoff.orphan:${need.id}:${tracker.id}`)
			.executeTakeFirstOrThrow();
		expect(orphan.state).toBe('queued');
		// The need is accepted again; the moderator tries again and the existing issue is linked.
		await t.db.updateTable('need').set({ status: 'accepted' }).where('id', '=', need.id).execute();
		const row = await createHandoff(as(roles.open.chair), need.id, draftOf());
		expect(row.upstreamUrl).toBe(url);
		expect(gh.issues.size).toBe(before + 1);
		expect((await t.db.selectFrom('job').select('state').where('id', '=', orphan.id).executeTakeFirstOrThrow()).state).toBe('done');
	});

	it('links an existing issue by URL, taking its state, and refuses URLs of other trackers or repositories', async () => {
		const need = await acceptedNeed(null);
		gh.issues.set(500, {
			number: 500,
			title: 'Existing',
			body: '',
			state: 'open',
			state_reason: null,
			labels: [],
			assignees: ['dev'],
			milestone: null,
			updated_at: '2026-11-21T00:00:00Z'
		});
		const other = await failure(linkHandoff(as(admin), need.id, { trackerId: tracker.id, kind: 'bug', url: 'https://gitlab.com/x/y/-/issues/1' }));
		expect(other?.fields.url).toMatch(/not the URL of an item in Nova/);
		const otherRepo = await failure(linkHandoff(as(admin), need.id, { trackerId: tracker.id, kind: 'bug', url: `${gh.url}/openstack/cinder/issues/500` }));
		expect(otherRepo?.fields.url).toBeTruthy();
		const row = await linkHandoff(as(admin), need.id, { trackerId: tracker.id, kind: 'bug', url: gh.issueUrl(500) });
		expect(row).toMatchObject({ linked: true, status: 'in_progress', upstreamKey: '500' });
		expect((await needRow(need.id)).status).toBe('in_progress');
		// The same upstream item cannot be linked to a second need.
		const second = await acceptedNeed(null);
		const dup = await failure(linkHandoff(as(admin), second.id, { trackerId: tracker.id, kind: 'bug', url: gh.issueUrl(500) }));
		expect(dup?.message).toMatch(`need #${need.id}`);
	});

	it('refuses bad input: unknown tracker, a kind the tracker does not take, an oversize body, a need not accepted', async () => {
		const need = await acceptedNeed('open');
		const who = as(roles.open.chair);
		expect((await failure(createHandoff(who, need.id, draftOf(999999))))?.fields.trackerId).toMatch(/no such tracker/);
		expect((await failure(createHandoff(who, need.id, { ...draftOf(), kind: 'spec' })))?.fields.kind).toMatch(/takes bug or feature/);
		expect((await failure(createHandoff(who, need.id, { ...draftOf(), body: 'x'.repeat(60_001) })))?.fields.body).toMatch(/at most 60,000/);
		expect((await failure(createHandoff(who, need.id, untrusted({ trackerId: 'abc', kind: 'nope', title: '', body: '' }))))?.fields).toHaveProperty(
			'trackerId'
		);
		const fresh = await buildNeed(t.db, { status: 'new', group: { id: roles.open.group.id } });
		expect((await failure(draftHandoff(who, fresh.id, { trackerId: tracker.id, kind: 'bug' }, { siteUrl: SITE })))?.message).toMatch(/Accept the need/);
		const disabled = await buildTracker(t.db, { disabled: true, baseUrl: gh.url, project: gh.repo });
		expect((await failure(createHandoff(who, need.id, draftOf(Number(disabled.id)))))?.fields.trackerId).toMatch(/not taking handoffs/);
	});
});

describe('the link back of a closed group’s need', () => {
	it('warns that the developers cannot open an unpublished closed need, until it is published', async () => {
		const { group, chair } = roles.closed;
		const need = await buildNeed(t.db, { group, status: 'accepted' });
		expect(await getHandoffPage(as(chair), need.id)).toMatchObject({ handable: true, linkBackWorks: false });
		await publishNeed(as(chair), need.id);
		expect((await getHandoffPage(as(chair), need.id)).linkBackWorks).toBe(true);
		const open = await buildNeed(t.db, { group: roles.open.group, status: 'accepted' });
		expect((await getHandoffPage(as(roles.open.chair), open.id)).linkBackWorks).toBe(true);
	});
});

describe('who may hand upstream, link, sync and read handoffs', () => {
	const cases = ['visitor', 'outsider', 'member', 'moderator', 'chair', 'admin'] as const;
	for (const visibility of ['open', 'closed'] as const) {
		for (const role of cases) {
			const allowed = role === 'moderator' || role === 'chair' || role === 'admin';
			it(`${role} of a ${visibility} group's need: ${allowed ? 'may' : 'may not'} hand it upstream`, async () => {
				const who = role === 'visitor' ? null : role === 'outsider' ? outsider : role === 'admin' ? admin : roles[visibility][role];
				const need = await acceptedNeed(visibility);
				const draft = await failure(draftHandoff(as(who), need.id, { trackerId: tracker.id, kind: 'bug' }, { siteUrl: SITE }));
				const link = await failure(linkHandoff(as(who), need.id, { trackerId: tracker.id, kind: 'bug', url: gh.issueUrl(999) }));
				const sync = await failure(syncNeed(as(who), need.id));
				if (allowed) {
					expect(draft).toBeNull();
					expect(link?.code).not.toBe('forbidden');
					expect(sync).toBeNull();
				} else {
					const expected = role === 'visitor' ? 'unauthenticated' : visibility === 'closed' && role === 'outsider' ? 'not_found' : 'forbidden';
					for (const result of [draft, link, sync]) expect(result?.code).toBe(expected);
				}
			});
		}
	}

	it('a closed group’s handoffs are never visible to outsiders; sync errors only to moderators', async () => {
		const need = await acceptedNeed('closed');
		await createHandoff(as(roles.closed.chair), need.id, draftOf());
		await t.db.updateTable('handoff').set({ sync_error: 'GitHub answered 502' }).where('need_id', '=', need.id).execute();
		expect((await failure(listHandoffsOfNeed(as(outsider), need.id)))?.code).toBe('not_found');
		expect((await failure(listHandoffsOfNeed(as(null), need.id)))?.code).toBe('not_found');
		const asMember = await listHandoffsOfNeed(as(roles.closed.member), need.id);
		expect(asMember.handoffs).toHaveLength(1);
		expect(asMember.handoffs[0].syncError).toBeNull();
		expect(asMember.mayHandOff).toBe(false);
		const asModerator = await listHandoffsOfNeed(as(roles.closed.moderator), need.id);
		expect(asModerator.handoffs[0].syncError).toBe('GitHub answered 502');
	});
});

describe('syncing the upstream state back', () => {
	it('the need follows its most advanced handoff; declined only when every handoff was declined', () => {
		expect(needStatusFromHandoffs([])).toBeNull();
		expect(needStatusFromHandoffs(['handed_upstream', 'declined_upstream'])).toBe('handed_upstream');
		expect(needStatusFromHandoffs(['declined_upstream', 'in_progress', 'handed_upstream'])).toBe('in_progress');
		expect(needStatusFromHandoffs(['delivered', 'declined_upstream'])).toBe('delivered');
		expect(needStatusFromHandoffs(['declined_upstream', 'declined_upstream'])).toBe('declined');
	});

	it('polls through the job table: in progress, then delivered in a milestone, each with a history entry; unchanged writes no history', async () => {
		const need = await acceptedNeed('open');
		const row = await createHandoff(as(roles.open.chair), need.id, draftOf());
		const number = Number(row.upstreamKey);
		const ctx = { db: t.db, now: clock.now };
		clock.advance(1000);
		await queueTrackerSyncs(ctx, { trackerId: Number(tracker.id), all: true });
		clock.advance(1000);
		let outcomes = await runDueJobs(t.db, { now: clock.now, kinds: ['handoff.sync'] });
		expect(outcomes.flatMap((o) => o.lines).filter((l) => l.includes(`#${need.id} `))).toEqual([]);
		expect(await history(need.id)).toHaveLength(1);

		gh.setState(number, 'in_progress');
		clock.advance(1000);
		await queueTrackerSyncs(ctx, { trackerId: Number(tracker.id), all: true });
		clock.advance(1000);
		outcomes = await runDueJobs(t.db, { now: clock.now, kinds: ['handoff.sync'] });
		expect(outcomes.flatMap((o) => o.lines)).toContain(`need #${need.id} · Nova: open → open; need is now in progress`);
		gh.setState(number, 'completed', '2027.1');
		clock.advance(1000);
		await queueTrackerSyncs(ctx, { trackerId: Number(tracker.id), all: true });
		clock.advance(1000);
		await runDueJobs(t.db, { now: clock.now, kinds: ['handoff.sync'] });
		const n = await needRow(need.id);
		expect(n.status).toBe('delivered');
		const entries = await history(need.id);
		expect(entries.map((e) => e.to_status)).toEqual(['handed_upstream', 'in_progress', 'delivered']);
		expect(entries[2].reason).toBe(`Delivered in 2027.1: Nova #${number} says “closed (completed)”.`);
		expect(entries[2].actor_id).toBeNull();
		const handoff = await t.db.selectFrom('handoff').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
		expect(handoff).toMatchObject({ status: 'delivered', delivered_in: '2027.1' });
	});

	it('the periodic poll queues one sync per enabled tracker, once', async () => {
		await t.db.deleteFrom('job').execute();
		await ensureRecurringJobs(t.db, clock.now());
		clock.advance(POLL_EVERY_MS + 1000);
		await runDueJobs(t.db, { now: clock.now, kinds: ['handoff.poll'] });
		await runDueJobs(t.db, { now: clock.now, kinds: ['handoff.poll'] });
		const queued = await t.db.selectFrom('job').select(['payload']).where('kind', '=', 'handoff.sync').where('state', '=', 'queued').execute();
		const enabled = await t.db.selectFrom('tracker').select('id').where('disabled_at', 'is', null).execute();
		expect(queued.map((q) => Number(q.payload.trackerId)).sort()).toEqual(enabled.map((e) => Number(e.id)).sort());
		await t.db.deleteFrom('job').execute();
	});

	it('declined upstream declines the need with the tracker’s reason', async () => {
		const need = await acceptedNeed('open');
		const row = await createHandoff(as(roles.open.chair), need.id, draftOf());
		gh.setState(Number(row.upstreamKey), 'not_planned');
		const changes = await syncNeed(as(roles.open.chair), need.id);
		expect(changes).toHaveLength(1);
		const n = await needRow(need.id);
		expect(n.status).toBe('declined');
		expect(n.status_reason).toBe(`Declined upstream: Nova #${row.upstreamKey} says “closed (not planned)”.`);
		expect(await syncNeed(as(roles.open.chair), need.id)).toEqual([]);
		expect(await history(need.id)).toHaveLength(2);
	});

	it('applies a correctly signed webhook, and a bad signature is refused with nothing written', async () => {
		const need = await acceptedNeed('open');
		const row = await createHandoff(as(roles.open.chair), need.id, draftOf());
		const issue = gh.setState(Number(row.upstreamKey), 'completed', '2026.2');
		const body = JSON.stringify({
			action: 'closed',
			issue: { ...issue, html_url: row.upstreamUrl, labels: [], assignees: [], milestone: { title: '2026.2' } },
			repository: { full_name: gh.repo }
		});
		const forged = await failure(
			receiveWebhook(
				t.db,
				Number(tracker.id),
				{ headers: { 'x-github-event': 'issues', 'x-hub-signature-256': githubSignature('wrong', body) }, body },
				clock.now
			)
		);
		expect(forged?.code).toBe('unauthenticated');
		expect((await needRow(need.id)).status).toBe('handed_upstream');
		const result = await receiveWebhook(
			t.db,
			Number(tracker.id),
			{ headers: { 'X-GitHub-Event': 'issues', 'X-Hub-Signature-256': githubSignature(SECRET, body) }, body },
			clock.now
		);
		expect(result.changed).toHaveLength(1);
		expect(await needRow(need.id)).toMatchObject({ status: 'delivered' });
		// The same delivery again changes nothing and writes no history.
		await receiveWebhook(
			t.db,
			Number(tracker.id),
			{ headers: { 'x-github-event': 'issues', 'x-hub-signature-256': githubSignature(SECRET, body) }, body },
			clock.now
		);
		expect(await history(need.id)).toHaveLength(2);
		expect((await failure(receiveWebhook(t.db, 424242, { headers: {}, body: '{}' })))?.code).toBe('not_found');
	});

	it('records a sync error for an item the tracker no longer has, shown to moderators', async () => {
		const need = await acceptedNeed('open');
		const row = await createHandoff(as(roles.open.chair), need.id, draftOf());
		gh.issues.delete(Number(row.upstreamKey));
		await syncNeed(as(roles.open.chair), need.id);
		const view = await listHandoffsOfNeed(as(roles.open.chair), need.id);
		expect(view.handoffs[0].syncError).toMatch(/no such project or item/);
		expect((await needRow(need.id)).status).toBe('handed_upstream');
	});
});
