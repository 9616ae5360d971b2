import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '#lib/server/testing/trackers/github.ts';
import { startFakeGitLab, type FakeGitLab } from '#lib/server/testing/trackers/gitlab.ts';
import { github, githubSignature } from './github.ts';
import { gitlab } from './gitlab.ts';
import { TrackerError, type NeedEvidence, type TrackerConnection } from './provider.ts';
import { allowPrivateAddresses } from '#lib/server/platform/http/outgoing.ts';

// The fake trackers listen on 127.0.0.1: allowed here as CAUCUS_ALLOW_PRIVATE_TRACKERS=1 would.
allowPrivateAddresses(true);

let gh: FakeGitHub;
let gl: FakeGitLab;
beforeAll(async () => {
	[gh, gl] = await Promise.all([startFakeGitHub(), startFakeGitLab()]);
});
afterAll(async () => {
	await Promise.all([gh?.close(), gl?.close()]);
});

const ghTracker = (over: Partial<TrackerConnection> = {}): TrackerConnection => ({
	id: 1,
	name: 'Nova on GitHub',
	provider: 'github',
	baseUrl: gh.url,
	project: gh.repo,
	settings: { labels: 'operators' },
	credentials: { token: gh.token },
	webhookSecret: 'hook-secret-1234567890',
	...over
});
const glTracker = (over: Partial<TrackerConnection> = {}): TrackerConnection => ({
	id: 2,
	name: 'Ceph on GitLab',
	provider: 'gitlab',
	baseUrl: gl.apiUrl,
	project: gl.project,
	settings: {},
	credentials: { token: gl.token },
	webhookSecret: 'gitlab-secret-123456',
	...over
});

const evidence: NeedEvidence = {
	need: {
		id: 7,
		title: 'Live migration fails with NUMA pinning',
		body: 'Instances with pinned CPUs cannot move.',
		kind: 'bug',
		url: 'https://caucus.test/needs/7',
		components: ['Nova'],
		releases: ['2025.1'],
		tags: [],
		group: 'Large Scale SIG'
	},
	support: { people: 12, organizations: 5, deployments: 3, nodes: 1200, instances: 30000, bySegment: [{ segment: 'operator', label: 'Operator', people: 10 }] },
	deployments: [{ name: 'Region | One', organization: 'CERN', nodes: 800, instances: 20000, releases: ['2025.1'] }],
	impacts: [{ member: 'Ana', note: 'We drain hosts by hand every patch day.' }],
	sessions: [],
	surveyFigures: [],
	priority: null
};

/** Posts a webhook the way the fakes do, but straight into the provider. */
async function captured(send: (target: string) => Promise<Response>): Promise<{ headers: Record<string, string>; body: string }> {
	const { createServer } = await import('node:http');
	return new Promise((resolve) => {
		const server = createServer((req, res) => {
			let body = '';
			req.on('data', (c) => (body += c));
			req.on('end', () => {
				res.end('ok');
				server.close();
				resolve({ headers: req.headers as Record<string, string>, body });
			});
		});
		server.listen(0, '127.0.0.1', () => {
			const address = server.address() as { port: number };
			void send(`http://127.0.0.1:${address.port}/hook`);
		});
	});
}

describe('GitHub issues', () => {
	it('drafts Markdown with the evidence and a link back, and creates the issue with its labels', async () => {
		const draft = github.draft(ghTracker(), evidence, 'bug');
		expect(draft.title).toBe(evidence.need.title);
		expect(draft.body).toContain('12 people from 5 organizations');
		expect(draft.body).toContain('Region \\| One');
		expect(draft.body).toContain('https://caucus.test/needs/7');
		expect(draft.fields.labels).toBe('operators, bug');
		const item = await github.create(ghTracker(), draft);
		expect(item).toMatchObject({ key: '1', url: gh.issueUrl(1), state: 'open', status: 'handed_upstream', deliveredIn: null });
		expect(gh.issues.get(1)?.labels).toEqual(['operators', 'bug']);
	});

	it('names the priority list the need is ranked in', () => {
		const ranked = { ...evidence, priority: { list: 'Ops priorities 2027.1, v1', rank: 2, of: 12, url: 'https://caucus.test/priorities/3' } };
		expect(github.draft(ghTracker(), ranked, 'feature').body).toContain('[Ops priorities 2027.1, v1: rank 2 of 12](https://caucus.test/priorities/3)');
	});

	it('reads the state back: assigned is in progress, completed is delivered in its milestone, not planned is declined', async () => {
		const { key } = await github.create(ghTracker(), { kind: 'feature', title: 'Quotas per AZ', body: 'x', fields: {} });
		gh.setState(Number(key), 'in_progress');
		expect((await github.fetch(ghTracker(), key)).status).toBe('in_progress');
		gh.setState(Number(key), 'completed', '2027.1');
		expect(await github.fetch(ghTracker(), key)).toMatchObject({ status: 'delivered', deliveredIn: '2027.1', state: 'closed (completed)' });
		gh.setState(Number(key), 'not_planned', null);
		expect(await github.fetch(ghTracker(), key)).toMatchObject({ status: 'declined_upstream', state: 'closed (not planned)' });
	});

	it('treats a configured label as in progress', async () => {
		const { key } = await github.create(ghTracker(), { kind: 'feature', title: 'Labelled', body: 'x', fields: { labels: 'Doing' } });
		expect((await github.fetch(ghTracker({ settings: { inProgressLabels: 'doing, wip' } }), key)).status).toBe('in_progress');
	});

	it('refuses bad credentials and a missing issue with a TrackerError that is not worth retrying', async () => {
		const refused = await github.create(ghTracker({ credentials: { token: 'wrong' } }), { kind: 'bug', title: 't', body: 'b', fields: {} }).catch((e) => e);
		expect(refused).toBeInstanceOf(TrackerError);
		expect(refused.message).toMatch(/refused the credentials/);
		expect(refused.retryable).toBe(false);
		const missing = await github.fetch(ghTracker(), '999').catch((e) => e);
		expect(missing.status).toBe(404);
	});

	it('names the issue of one of its URLs, and nothing for another repository, host or a pull request', () => {
		const t = ghTracker();
		expect(github.keyFromUrl(t, gh.issueUrl(12))).toBe('12');
		expect(github.keyFromUrl(t, `${gh.url}/other/repo/issues/12`)).toBeNull();
		expect(github.keyFromUrl(t, `${gh.url}/${gh.repo}/pull/12`)).toBeNull();
		expect(github.keyFromUrl(t, 'https://github.com/openstack/nova/issues/12')).toBeNull();
		expect(github.keyFromUrl({ ...t, baseUrl: 'https://api.github.com' }, 'https://github.com/openstack/nova/issues/12')).toBe('12');
		expect(github.keyFromUrl(t, 'not a url')).toBeNull();
	});

	it('accepts a webhook signed with the secret and refuses one signed otherwise or not at all', async () => {
		const { key } = await github.create(ghTracker(), { kind: 'bug', title: 'Hooked', body: 'x', fields: {} });
		gh.setState(Number(key), 'completed', '2026.2');
		const good = await captured((target) => gh.sendWebhook(target, 'hook-secret-1234567890', Number(key)));
		expect(good.headers['x-hub-signature-256']).toBe(githubSignature('hook-secret-1234567890', good.body));
		expect(await github.webhook!(ghTracker(), good)).toMatchObject([{ key, status: 'delivered', deliveredIn: '2026.2' }]);
		const forged = await captured((target) => gh.sendWebhook(target, 'another-secret', Number(key)));
		expect(await github.webhook!(ghTracker(), forged)).toBeNull();
		expect(await github.webhook!(ghTracker(), { headers: { 'x-github-event': 'issues' }, body: good.body })).toBeNull();
		expect(await github.webhook!(ghTracker({ webhookSecret: null }), good)).toBeNull();
		// A verified delivery about another repository changes nothing here.
		expect(await github.webhook!(ghTracker({ project: 'openstack/cinder' }), good)).toEqual([]);
	});
});

describe('GitLab issues', () => {
	it('creates an issue and reads its state: closed is delivered in its milestone, closed as wontfix is declined', async () => {
		const draft = gitlab.draft(glTracker(), evidence, 'feature');
		const item = await gitlab.create(glTracker(), draft);
		expect(item).toMatchObject({ key: '1', url: gl.issueUrl(1), state: 'opened', status: 'handed_upstream' });
		expect(gl.issues.get(1)?.labels).toEqual(['feature']);
		gl.setState(1, 'opened', { assignees: ['dev'] });
		expect((await gitlab.fetch(glTracker(), '1')).status).toBe('in_progress');
		gl.setState(1, 'closed', { milestone: 'v19.2.0', assignees: [] });
		expect(await gitlab.fetch(glTracker(), '1')).toMatchObject({ status: 'delivered', deliveredIn: 'v19.2.0' });
		gl.setState(1, 'closed', { labels: ['WontFix'] });
		expect((await gitlab.fetch(glTracker(), '1')).status).toBe('declined_upstream');
	});

	it('names issues by their web URL, old and new style, and nothing for another project', () => {
		const t = glTracker();
		expect(gitlab.keyFromUrl(t, gl.issueUrl(4))).toBe('4');
		expect(gitlab.keyFromUrl(t, `${gl.url}/${gl.project}/issues/4`)).toBe('4');
		expect(gitlab.keyFromUrl(t, `${gl.url}/other/project/-/issues/4`)).toBeNull();
		expect(gitlab.keyFromUrl(t, `${gl.url}/${gl.project}/-/merge_requests/4`)).toBeNull();
	});

	it('accepts a webhook with the right token and refuses a wrong or missing one', async () => {
		await gitlab.create(glTracker(), { kind: 'bug', title: 'Hooked', body: 'x', fields: {} });
		gl.setState(2, 'closed', { milestone: 'v20.0.0' });
		const good = await captured((target) => gl.sendWebhook(target, 'gitlab-secret-123456', 2));
		expect(await gitlab.webhook!(glTracker(), good)).toMatchObject([{ key: '2', status: 'delivered', deliveredIn: 'v20.0.0' }]);
		const bad = await captured((target) => gl.sendWebhook(target, 'gitlab-secret-12345X', 2));
		expect(await gitlab.webhook!(glTracker(), bad)).toBeNull();
		expect(await gitlab.webhook!(glTracker(), { headers: { 'x-gitlab-event': 'Issue Hook' }, body: good.body })).toBeNull();
	});
});
