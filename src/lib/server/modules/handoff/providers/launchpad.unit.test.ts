import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLaunchpad, type FakeLaunchpad } from '#lib/server/testing/trackers/launchpad.ts';
import { sampleEvidence, trackerConnection } from '#lib/server/testing/trackers/evidence.ts';
import { blueprintStatus, launchpad, oauthHeader } from './launchpad.ts';
import { TrackerError, type TrackerConnection } from './provider.ts';
import { allowPrivateAddresses } from '#lib/server/platform/http/outgoing.ts';
import { watchTrackerLog } from '#lib/server/testing/trackers/logged.ts';

// The fake trackers listen on 127.0.0.1: allowed here as CAUCUS_ALLOW_PRIVATE_TRACKERS=1 would.
allowPrivateAddresses(true);

let server: FakeLaunchpad;
let tracker: TrackerConnection;
const credentials = { consumerKey: 'caucus', oauthToken: 'tok3n', oauthSecret: 's3cret&+/' };

beforeAll(async () => {
	server = await startFakeLaunchpad({ ...credentials, projects: ['nova'] });
	tracker = trackerConnection({ provider: 'launchpad', baseUrl: server.baseUrl, project: 'nova', credentials });
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

describe('Launchpad drafts', () => {
	it('are plain text with the evidence and a link back', () => {
		const draft = launchpad.draft(tracker, sampleEvidence(), 'bug');
		expect(draft.kind).toBe('bug');
		expect(draft.fields).toEqual({ tags: 'caucus' });
		const body = draft.body;
		expect(body).toContain('Operators cannot drain a GPU host for maintenance: nova live-migration refuses');
		expect(body).toContain('Steps\n-----');
		expect(body).toContain('1. Boot an instance with a resources:VGPU=1 flavor\n2. Try to live-migrate it');
		expect(body).toContain('See the nova docs <https://docs.openstack.org/nova/latest/admin/virtual-gpu.html>.');
		expect(body).toContain('42 people from 17 organizations support this need, running 23 deployments (1,200 nodes, 30,000 instances).');
		expect(body).toContain('- Operators: 30');
		expect(body).toContain('- Acme | Cloud *EU* (Organization: Acme Inc.; Nodes: 800; Instances: 20,000; Releases: 2025.1)');
		expect(body).toContain('- research_cloud (Instances: 900)');
		expect(body).toContain('- Alice Operator: We keep 40 GPU hosts out of rotation for weeks [every] quarter.');
		expect(body).toContain('need #42: Live-migrate instances with vGPUs attached <https://caucus.example/needs/42>');
		expect(body).not.toMatch(/\*\*|\\/);
	});

	it('for blueprints propose a blueprint name', () => {
		const draft = launchpad.draft(tracker, sampleEvidence(), 'blueprint');
		expect(draft.fields).toEqual({ name: 'live-migrate-instances-with-vgpus-attached' });
	});
});

describe('Launchpad requests', () => {
	it('are signed with OAuth PLAINTEXT: "&" and the percent-encoded token secret', () => {
		const header = oauthHeader(credentials);
		expect(header).toMatch(/^OAuth realm="https:\/\/api\.launchpad\.net\/", /);
		expect(header).toContain('oauth_consumer_key="caucus"');
		expect(header).toContain('oauth_token="tok3n"');
		expect(header).toContain('oauth_signature_method="PLAINTEXT"');
		// "&" + encode("s3cret&+/"), encoded once more as a header value.
		expect(header).toContain('oauth_signature="%26s3cret%2526%252B%252F"');
		expect(header).toMatch(/oauth_timestamp="\d+"/);
		expect(header).toMatch(/oauth_nonce="[0-9a-f]{32}"/);
	});
});

describe('Launchpad bugs', () => {
	it('are filed on the project with a form-encoded createBug and read back', async () => {
		const draft = launchpad.draft(tracker, sampleEvidence(), 'bug');
		const item = await launchpad.create(tracker, { ...draft, fields: { tags: 'caucus, Ops gpu bad_tag' } });
		expect(item.key).toMatch(/^\d+$/);
		expect(item).toMatchObject({
			url: `${new URL(server.baseUrl).origin}/nova/+bug/${item.key}`,
			title: draft.title,
			state: 'New',
			status: 'handed_upstream',
			deliveredIn: null
		});
		const post = server.requests.find((r) => r.method === 'POST' && r.path === '/devel/bugs');
		expect(post?.form).toEqual({
			'ws.op': 'createBug',
			target: `${server.baseUrl}/nova`,
			title: draft.title,
			description: draft.body,
			tags: ['caucus', 'ops', 'gpu']
		});
		expect(server.bugs.get(Number(item.key))).toMatchObject({ description: draft.body, tags: ['caucus', 'ops', 'gpu'] });
	});

	it('keep titles that look like JSON as text', async () => {
		const draft = launchpad.draft(tracker, sampleEvidence(), 'bug');
		const item = await launchpad.create(tracker, { ...draft, title: 'null', body: '123' });
		expect(server.bugs.get(Number(item.key))).toMatchObject({ title: 'null', description: '123' });
	});

	it.each([
		['New', null, 'handed_upstream', null],
		['Incomplete', null, 'handed_upstream', null],
		['Confirmed', null, 'handed_upstream', null],
		['Triaged', '2027.1', 'handed_upstream', '2027.1'],
		['In Progress', '2027.1', 'in_progress', '2027.1'],
		['Fix Committed', '2027.1', 'in_progress', '2027.1'],
		['Fix Released', '2027.1', 'delivered', '2027.1'],
		['Fix Released', null, 'delivered', null],
		["Won't Fix", null, 'declined_upstream', null],
		['Invalid', null, 'declined_upstream', null],
		['Opinion', null, 'declined_upstream', null],
		['Expired', null, 'declined_upstream', null]
	])('with the project task %s (milestone %s) read as %s', async (state, milestone, status, deliveredIn) => {
		const created = await launchpad.create(tracker, launchpad.draft(tracker, sampleEvidence(), 'bug'));
		server.setBugTask(Number(created.key), { status: state, milestone });
		const item = await launchpad.fetch(tracker, created.key);
		expect(item).toMatchObject({ key: created.key, state, status, deliveredIn });
		expect(item.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
	});

	it('on another project are refused by Launchpad, its reason logged and not shown', async () => {
		const trackerLog = watchTrackerLog();
		const error = await rejection(launchpad.create({ ...tracker, project: 'glance' }, launchpad.draft(tracker, sampleEvidence(), 'bug')));
		expect(error).toMatchObject({ status: 400, retryable: false });
		expect(error.message).not.toContain('target: Invalid value.');
		expect(error.message).toMatch(/answered \d+; the details are in the server log, reference [0-9a-f]{8}/);
		expect(trackerLog.detailOf(error)).toContain('target: Invalid value.');
		trackerLog.restore();
	});
});

describe('Launchpad blueprints', () => {
	it('are registered with createSpecification and read back', async () => {
		const draft = launchpad.draft(tracker, sampleEvidence(), 'blueprint');
		const item = await launchpad.create(tracker, { ...draft, fields: { name: 'vgpu-live-migration' } });
		expect(item).toMatchObject({
			key: '+spec/vgpu-live-migration',
			url: `${new URL(server.baseUrl).origin}/nova/+spec/vgpu-live-migration`,
			state: 'New / Unknown',
			status: 'handed_upstream'
		});
		const post = server.requests.find((r) => r.path === '/devel/specs');
		expect(post?.form).toMatchObject({
			'ws.op': 'createSpecification',
			name: 'vgpu-live-migration',
			definition_status: 'New',
			target: `${server.baseUrl}/nova`,
			summary: draft.body
		});
		const trackerLog = watchTrackerLog();
		const again = await rejection(launchpad.create(tracker, { ...draft, fields: { name: 'vgpu-live-migration' } }));
		expect(again.message).not.toContain('already in use by another blueprint');
		expect(trackerLog.detailOf(again)).toContain('already in use by another blueprint');
		trackerLog.restore();
	});

	it('refuse a name Launchpad would not take', async () => {
		const draft = launchpad.draft(tracker, sampleEvidence(), 'blueprint');
		expect((await rejection(launchpad.create(tracker, { ...draft, fields: { name: 'Bad Name!' } }))).retryable).toBe(false);
	});

	it.each([
		[{ definitionStatus: 'Discussion' }, 'handed_upstream', null],
		[{ definitionStatus: 'Approved' }, 'in_progress', null],
		[{ definitionStatus: 'Approved', implementationStatus: 'Good progress', milestone: '2027.1' }, 'in_progress', '2027.1'],
		[{ implementationStatus: 'Needs Code Review' }, 'in_progress', null],
		[{ definitionStatus: 'Approved', implementationStatus: 'Implemented', milestone: '2027.1' }, 'delivered', '2027.1'],
		[{ definitionStatus: 'Obsolete' }, 'declined_upstream', null],
		[{ definitionStatus: 'Superseded' }, 'declined_upstream', null]
	])('in %o read as %s', async (change, status, deliveredIn) => {
		const name = `spec-${server.specs.size + 1}`;
		await launchpad.create(tracker, { ...launchpad.draft(tracker, sampleEvidence(), 'blueprint'), fields: { name } });
		server.setSpec(name, change);
		expect(await launchpad.fetch(tracker, `+spec/${name}`)).toMatchObject({ status, deliveredIn });
	});

	it('map every status pair the enums allow', () => {
		expect(blueprintStatus('New', 'Unknown')).toBe('handed_upstream');
		expect(blueprintStatus('Pending Approval', 'Not started')).toBe('handed_upstream');
		expect(blueprintStatus('Drafting', 'Deferred')).toBe('handed_upstream');
		expect(blueprintStatus('Approved', 'Deferred')).toBe('in_progress');
		expect(blueprintStatus('Approved', 'Informational')).toBe('delivered');
		expect(blueprintStatus('Review', 'Blocked')).toBe('in_progress');
		expect(blueprintStatus('Obsolete', 'Implemented')).toBe('declined_upstream');
	});
});

describe('Launchpad errors', () => {
	it('for bad credentials are final', async () => {
		const wrong = { ...tracker, credentials: { ...credentials, oauthSecret: 'nope' } };
		const trackerLog = watchTrackerLog();
		const error = await rejection(launchpad.fetch(wrong, '1'));
		expect(error).toMatchObject({ status: 401, retryable: false });
		expect(error.message).not.toContain('Invalid OAuth signature.');
		expect(error.message).toMatch(/answered \d+; the details are in the server log, reference [0-9a-f]{8}/);
		expect(trackerLog.detailOf(error)).toContain('Invalid OAuth signature.');
		trackerLog.restore();
		expect(await rejection(launchpad.fetch({ ...tracker, credentials: null }, '1'))).toMatchObject({ retryable: false });
	});

	it('for a missing bug are final, for a 5xx worth retrying', async () => {
		expect(await rejection(launchpad.fetch(tracker, '1'))).toMatchObject({ status: 404, retryable: false });
		server.failNext(503);
		expect(await rejection(launchpad.fetch(tracker, '1'))).toMatchObject({ status: 503, retryable: true });
		server.failNext(500);
		expect(await rejection(launchpad.create(tracker, launchpad.draft(tracker, sampleEvidence(), 'bug')))).toMatchObject({ retryable: true });
	});

	it('go to the "devel" API version when the base URL names none', async () => {
		const bare = { ...tracker, baseUrl: new URL(server.baseUrl).origin };
		const created = await launchpad.create(bare, launchpad.draft(bare, sampleEvidence(), 'bug'));
		expect((await launchpad.fetch(bare, created.key)).status).toBe('handed_upstream');
	});

	it('for a key that names nothing Launchpad has are final', async () => {
		expect(await rejection(launchpad.fetch(tracker, 'OPS-1'))).toMatchObject({ retryable: false });
	});
});

describe('Launchpad URLs', () => {
	const real = () => ({ ...tracker, baseUrl: 'https://api.launchpad.net/devel' });

	it('name bugs and blueprints in the forms Launchpad links use', () => {
		expect(launchpad.keyFromUrl(real(), 'https://bugs.launchpad.net/nova/+bug/2012345')).toBe('2012345');
		expect(launchpad.keyFromUrl(real(), 'https://bugs.launchpad.net/nova/+bug/2012345/comments/4')).toBeNull();
		expect(launchpad.keyFromUrl(real(), 'https://bugs.launchpad.net/bugs/2012345')).toBe('2012345');
		expect(launchpad.keyFromUrl(real(), 'https://launchpad.net/bugs/2012345')).toBe('2012345');
		expect(launchpad.keyFromUrl(real(), 'https://blueprints.launchpad.net/nova/+spec/vgpu-live-migration')).toBe('+spec/vgpu-live-migration');
		expect(launchpad.keyFromUrl(real(), 'https://bugs.launchpad.net/Nova/+bug/7/')).toBe('7');
		const local = `${new URL(server.baseUrl).origin}`;
		expect(launchpad.keyFromUrl(tracker, `${local}/nova/+bug/9`)).toBe('9');
	});

	it('reject other projects, other hosts and other pages', () => {
		expect(launchpad.keyFromUrl(real(), 'https://bugs.launchpad.net/glance/+bug/2012345')).toBeNull();
		expect(launchpad.keyFromUrl(real(), 'https://blueprints.launchpad.net/glance/+spec/x')).toBeNull();
		expect(launchpad.keyFromUrl(real(), 'https://bugs.example.org/nova/+bug/1')).toBeNull();
		expect(launchpad.keyFromUrl(real(), 'https://launchpad.net/nova')).toBeNull();
		expect(launchpad.keyFromUrl(real(), 'https://blueprints.launchpad.net/nova/+spec/Bad_Name')).toBeNull();
		expect(launchpad.keyFromUrl(real(), 'javascript:alert(1)')).toBeNull();
	});
});
