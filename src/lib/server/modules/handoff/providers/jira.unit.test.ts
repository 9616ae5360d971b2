import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeJira, type FakeJira } from '#lib/server/testing/trackers/jira.ts';
import { sampleEvidence, trackerConnection } from '#lib/server/testing/trackers/evidence.ts';
import { jira, parseJiraDate } from './jira.ts';
import { TrackerError, type TrackerConnection } from './provider.ts';
import { allowPrivateAddresses } from '#lib/server/platform/http/outgoing.ts';
import { watchTrackerLog } from '#lib/server/testing/trackers/logged.ts';

// The fake trackers listen on 127.0.0.1: allowed here as CAUCUS_ALLOW_PRIVATE_TRACKERS=1 would.
allowPrivateAddresses(true);

let server: FakeJira;
let tracker: TrackerConnection;

beforeAll(async () => {
	server = await startFakeJira({ email: 'bot@example.org', apiToken: 'secret-token', projects: ['OPS'] });
	tracker = trackerConnection({
		provider: 'jira',
		baseUrl: server.baseUrl,
		project: 'OPS',
		credentials: { email: 'bot@example.org', apiToken: 'secret-token' },
		webhookSecret: 'hook-secret'
	});
});
afterAll(() => server.close());

async function rejection(promise: Promise<unknown>): Promise<TrackerError> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(TrackerError);
	return error as TrackerError;
}

describe('Jira drafts', () => {
	it('write the need and its evidence in wiki markup with a link back', () => {
		const draft = jira.draft(tracker, sampleEvidence(), 'feature');
		expect(draft.title).toBe('Live-migrate instances with vGPUs attached');
		expect(draft.fields).toEqual({ issueType: 'Story', labels: 'caucus' });
		const body = draft.body;
		expect(body).toContain('h2. The need');
		expect(body).toContain('drain a *GPU host* for maintenance: {{nova live-migration}}');
		// The body's own "##" heading sits below the draft's h2 sections.
		expect(body).toContain('h4. Steps');
		expect(body).toContain('# Boot an instance with a {{resources:VGPU=1}} flavor');
		expect(body).toContain('[the nova docs|https://docs.openstack.org/nova/latest/admin/virtual-gpu.html]');
		expect(body).toContain('*42 people* from *17 organizations* support this need, running *23 deployments* (1,200 nodes, 30,000 instances).');
		expect(body).toContain('||Segment||People||\n|Operators|30|');
		expect(body).toContain('||Deployment||Organization||Nodes||Instances||Releases||');
		// A pipe in a name is escaped so it cannot split the row; an empty cell keeps its place.
		expect(body).toContain('|Acme \\| Cloud \\*EU\\*|Acme Inc.|800|20,000|2025.1|');
		expect(body).toContain('|research_cloud| | |900| |');
		expect(body).toContain('* *Alice Operator*: We keep 40 GPU hosts out of rotation for weeks \\[every\\] quarter.');
		expect(body).toContain('Ranked *2 of 12* in [Ops priorities 2027.1, v1|https://caucus.example/priorities/5/v1]');
		expect(body).toContain('[Ops meetup: GPUs|https://caucus.example/gatherings/7/sessions/3]');
		expect(body).toContain('|[Use vGPUs in production|https://caucus.example/surveys/2/results#q4]|31%|');
		expect(body).toContain('[need #42: Live-migrate instances with vGPUs attached|https://caucus.example/needs/42]');
	});

	it('use the configured issue types and labels', () => {
		const configured = { ...tracker, settings: { bugIssueType: 'Defect', featureIssueType: 'New Feature', labels: 'ops caucus' } };
		expect(jira.draft(configured, sampleEvidence(), 'bug').fields).toEqual({ issueType: 'Defect', labels: 'ops caucus' });
		expect(jira.draft(configured, sampleEvidence(), 'feature').fields.issueType).toBe('New Feature');
	});

	it('cannot be turned into links or macros by what members wrote', () => {
		const evidence = sampleEvidence();
		evidence.need.body = 'Try [click|javascript:alert(1)] and {html}<b>x</b>{html} and [x](javascript:alert(1))';
		const body = jira.draft(tracker, evidence, 'bug').body;
		expect(body).toContain('Try \\[click\\|javascript:alert(1)\\] and \\{html\\}');
		expect(body).not.toContain('javascript:alert(1)]');
	});
});

describe('Jira issues', () => {
	it('are created with the draft and read back', async () => {
		const draft = jira.draft(tracker, sampleEvidence(), 'bug');
		const item = await jira.create(tracker, { ...draft, fields: { issueType: 'Bug', labels: 'caucus, ops' } });
		expect(item).toMatchObject({
			key: 'OPS-1',
			url: `${server.baseUrl}/browse/OPS-1`,
			title: draft.title,
			state: 'To Do',
			status: 'handed_upstream',
			deliveredIn: null
		});
		const stored = server.issues.get('OPS-1')!;
		expect(stored).toMatchObject({ project: 'OPS', issueType: 'Bug', summary: draft.title, description: draft.body, labels: ['caucus', 'ops'] });
		expect((await jira.fetch(tracker, 'OPS-1')).status).toBe('handed_upstream');
	});

	it.each([
		[{ status: 'To Do', category: 'new' as const }, 'handed_upstream', null],
		[{ status: 'In Progress', category: 'indeterminate' as const, fixVersion: '2027.1' }, 'in_progress', '2027.1'],
		[{ status: 'In Review', category: 'indeterminate' as const }, 'in_progress', null],
		[{ status: 'Done', category: 'done' as const, resolution: 'Done', fixVersion: '2027.1' }, 'delivered', '2027.1'],
		[{ status: 'Closed', category: 'done' as const, resolution: 'Fixed', fixVersion: null }, 'delivered', null],
		[{ status: 'Done', category: 'done' as const, resolution: "Won't Do", fixVersion: null }, 'declined_upstream', null],
		[{ status: 'Closed', category: 'done' as const, resolution: "Won't Fix" }, 'declined_upstream', null],
		[{ status: 'Closed', category: 'done' as const, resolution: 'Duplicate' }, 'declined_upstream', null],
		[{ status: 'Rejected', category: 'done' as const, resolution: 'Declined' }, 'declined_upstream', null]
	])('in %o read as %s', async (change, status, deliveredIn) => {
		const created = await jira.create(tracker, jira.draft(tracker, sampleEvidence(), 'feature'));
		const before = (await jira.fetch(tracker, created.key)).updatedAt;
		server.transition(created.key, change);
		const item = await jira.fetch(tracker, created.key);
		expect(item).toMatchObject({ key: created.key, state: change.status, status, deliveredIn });
		expect(item.updatedAt.getTime()).toBeGreaterThan(before.getTime());
	});

	it('refused for bad credentials raise a final error', async () => {
		const wrong = { ...tracker, credentials: { email: 'bot@example.org', apiToken: 'wrong' } };
		const error = await rejection(jira.fetch(wrong, 'OPS-1'));
		expect(error).toMatchObject({ status: 401, retryable: false });
		expect(error.message).toContain('refused the credentials');
		expect((await rejection(jira.create(wrong, jira.draft(tracker, sampleEvidence(), 'bug')))).retryable).toBe(false);
	});

	it('need credentials before any call', async () => {
		const error = await rejection(jira.fetch({ ...tracker, credentials: null }, 'OPS-1'));
		expect(error.retryable).toBe(false);
	});

	it('refused for validation log which field Jira objected to, and show only the status and a log reference', async () => {
		const trackerLog = watchTrackerLog();
		const error = await rejection(jira.create({ ...tracker, project: 'NOPE' }, jira.draft(tracker, sampleEvidence(), 'bug')));
		expect(error).toMatchObject({ status: 400, retryable: false });
		expect(error.message).not.toContain('project: valid project is required');
		expect(error.message).toMatch(/answered \d+; the details are in the server log, reference [0-9a-f]{8}/);
		expect(trackerLog.detailOf(error)).toContain('project: valid project is required');
		trackerLog.restore();
	});

	it('that do not exist are a final error', async () => {
		expect(await rejection(jira.fetch(tracker, 'OPS-999'))).toMatchObject({ status: 404, retryable: false });
	});

	it('are retried later when Jira fails with a 5xx or cannot be reached', async () => {
		server.failNext(503);
		expect(await rejection(jira.fetch(tracker, 'OPS-1'))).toMatchObject({ status: 503, retryable: true });
		server.failNext(502);
		expect(await rejection(jira.create(tracker, jira.draft(tracker, sampleEvidence(), 'bug')))).toMatchObject({ retryable: true });
		const unreachable = { ...tracker, baseUrl: 'http://127.0.0.1:1' };
		expect(await rejection(jira.fetch(unreachable, 'OPS-1'))).toMatchObject({ status: null, retryable: true });
	});
});

describe('Jira issue URLs', () => {
	it('name the issue key for the forms Jira links use', () => {
		const base = server.baseUrl;
		expect(jira.keyFromUrl(tracker, `${base}/browse/OPS-12`)).toBe('OPS-12');
		expect(jira.keyFromUrl(tracker, `${base}/browse/ops-12?focusedCommentId=3`)).toBe('OPS-12');
		expect(jira.keyFromUrl(tracker, `${base}/projects/OPS/issues/OPS-7`)).toBe('OPS-7');
		expect(jira.keyFromUrl(tracker, `${base}/jira/software/projects/OPS/boards/1?selectedIssue=OPS-3`)).toBe('OPS-3');
	});

	it('work under a Data Center context path', () => {
		const dc = { ...tracker, baseUrl: 'https://issues.example.org/jira/' };
		expect(jira.keyFromUrl(dc, 'https://issues.example.org/jira/browse/OPS-5')).toBe('OPS-5');
		expect(jira.keyFromUrl(dc, 'https://issues.example.org/browse/OPS-5')).toBeNull();
	});

	it('reject other hosts, other projects and non-issue pages', () => {
		const base = server.baseUrl;
		expect(jira.keyFromUrl(tracker, 'https://evil.example/browse/OPS-12')).toBeNull();
		expect(jira.keyFromUrl(tracker, `${base}/browse/OTHER-12`)).toBeNull();
		expect(jira.keyFromUrl(tracker, `${base}/browse/OPS`)).toBeNull();
		expect(jira.keyFromUrl(tracker, `${base}/browse/OPS-0`)).toBeNull();
		expect(jira.keyFromUrl(tracker, `${base}/secure/Dashboard.jspa`)).toBeNull();
		expect(jira.keyFromUrl(tracker, 'not a url')).toBeNull();
	});
});

describe('Jira webhooks', () => {
	it('with a good signature report the changed issue', async () => {
		const created = await jira.create(tracker, jira.draft(tracker, sampleEvidence(), 'feature'));
		server.transition(created.key, { status: 'Done', category: 'done', resolution: 'Done', fixVersion: '2027.1' });
		const items = await jira.webhook!(tracker, server.webhook(created.key, 'hook-secret'));
		expect(items).toHaveLength(1);
		expect(items![0]).toMatchObject({ key: created.key, status: 'delivered', deliveredIn: '2027.1', state: 'Done' });
	});

	it('with a bad, missing or tampered signature are rejected', async () => {
		const created = await jira.create(tracker, jira.draft(tracker, sampleEvidence(), 'feature'));
		expect(await jira.webhook!(tracker, server.webhook(created.key, 'other-secret'))).toBeNull();
		const good = server.webhook(created.key, 'hook-secret');
		expect(await jira.webhook!(tracker, { headers: {}, body: good.body })).toBeNull();
		expect(await jira.webhook!(tracker, { headers: good.headers, body: good.body.replace('To Do', 'Done') })).toBeNull();
		expect(await jira.webhook!(tracker, { headers: { 'x-hub-signature': 'sha256=zz' }, body: good.body })).toBeNull();
		// Without a secret configured nothing can be verified, so nothing is accepted.
		expect(await jira.webhook!({ ...tracker, webhookSecret: null }, good)).toBeNull();
	});

	it('about other projects or other events report nothing', async () => {
		const created = await jira.create(tracker, jira.draft(tracker, sampleEvidence(), 'feature'));
		expect(await jira.webhook!({ ...tracker, project: 'OTHER' }, server.webhook(created.key, 'hook-secret'))).toEqual([]);
		expect(await jira.webhook!(tracker, server.webhook(created.key, 'hook-secret', 'comment_created'))).toEqual([]);
	});
});

describe('Jira dates', () => {
	it('parse the offset form Jira writes', () => {
		expect(parseJiraDate('2026-11-26T01:02:03.000+0000').toISOString()).toBe('2026-11-26T01:02:03.000Z');
		expect(parseJiraDate('2026-11-26T03:02:03.000+0200').toISOString()).toBe('2026-11-26T01:02:03.000Z');
	});
});
