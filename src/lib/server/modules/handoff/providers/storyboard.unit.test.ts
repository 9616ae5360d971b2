import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeStoryBoard, type FakeStoryBoard } from '#lib/server/testing/trackers/storyboard.ts';
import { sampleEvidence, trackerConnection } from '#lib/server/testing/trackers/evidence.ts';
import { storyboard, storyStatus } from './storyboard.ts';
import { TrackerError, type TrackerConnection } from './provider.ts';
import { allowPrivateAddresses } from '#lib/server/platform/http/outgoing.ts';
import { watchTrackerLog } from '#lib/server/testing/trackers/logged.ts';

// The fake trackers listen on 127.0.0.1: allowed here as CAUCUS_ALLOW_PRIVATE_TRACKERS=1 would.
allowPrivateAddresses(true);

let server: FakeStoryBoard;
let tracker: TrackerConnection;

beforeAll(async () => {
	server = await startFakeStoryBoard({
		token: 'sb-token',
		projects: [
			{ id: 2, name: 'openstack/nova' },
			{ id: 3, name: 'openstack/nova-specs' }
		]
	});
	tracker = trackerConnection({ provider: 'storyboard', baseUrl: server.baseUrl, project: 'openstack/nova', credentials: { token: 'sb-token' } });
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

describe('StoryBoard drafts', () => {
	it('are Markdown: the need as written, the evidence and a link back', () => {
		const evidence = sampleEvidence();
		const draft = storyboard.draft(tracker, evidence, 'feature');
		expect(draft.body.startsWith(evidence.need.body)).toBe(true);
		expect(draft.body).toContain('### Who needs this');
		expect(draft.body).toContain('| Operators | 30 |');
		expect(draft.body).toContain('| Acme \\| Cloud \\*EU\\* | Acme Inc\\. | 800 | 20,000 | 2025\\.1 |');
		expect(draft.body).toContain('[need #42: Live\\-migrate instances with vGPUs attached](<https://caucus.example/needs/42>)');
		expect(draft.fields).toEqual({ tags: 'caucus' });
	});
});

describe('StoryBoard stories', () => {
	it('are created with a task on the project and read back', async () => {
		const draft = storyboard.draft(tracker, sampleEvidence(), 'bug');
		const item = await storyboard.create(tracker, { ...draft, fields: { tags: 'caucus ops' } });
		expect(item).toMatchObject({
			url: `${server.webUrl}/#!/story/${item.key}`,
			title: draft.title,
			state: 'todo',
			status: 'handed_upstream',
			deliveredIn: null
		});
		const story = server.stories.get(Number(item.key))!;
		expect(story).toMatchObject({ title: draft.title, description: draft.body, tags: ['caucus', 'ops'], isBug: true });
		expect(server.tasks.filter((t) => t.storyId === story.id)).toEqual([expect.objectContaining({ projectId: 2, status: 'todo', title: draft.title })]);
	});

	it('take the project by id as well as by name', async () => {
		const item = await storyboard.create({ ...tracker, project: '3' }, storyboard.draft(tracker, sampleEvidence(), 'feature'));
		expect(server.tasks.find((t) => t.storyId === Number(item.key))?.projectId).toBe(3);
		expect(await rejection(storyboard.create({ ...tracker, project: 'openstack/none' }, storyboard.draft(tracker, sampleEvidence(), 'feature')))).toMatchObject(
			{ retryable: false }
		);
	});

	it.each([
		['todo', 'todo', 'handed_upstream'],
		['inprogress', 'inprogress', 'in_progress'],
		['review', 'review', 'in_progress'],
		['merged', 'merged', 'delivered'],
		['invalid', 'invalid', 'declined_upstream']
	] as const)('with tasks %s read as %s (%s)', async (taskStatus, state, status) => {
		const created = await storyboard.create(tracker, storyboard.draft(tracker, sampleEvidence(), 'feature'));
		server.setTaskStatus(Number(created.key), taskStatus);
		const item = await storyboard.fetch(tracker, created.key);
		expect(item).toMatchObject({ key: created.key, state, status, deliveredIn: null });
		expect(item.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
	});

	it('map mixed task states as StoryBoard derives the story', () => {
		expect(storyStatus('active', ['todo', 'merged'])).toBe('in_progress');
		expect(storyStatus('active', ['todo', 'invalid'])).toBe('handed_upstream');
		expect(storyStatus('merged', ['merged', 'invalid'])).toBe('delivered');
		expect(storyStatus('active', [])).toBe('handed_upstream');
	});
});

describe('StoryBoard errors', () => {
	it('for a bad token are final, and writes need a token at all', async () => {
		const wrong = { ...tracker, credentials: { token: 'nope' } };
		expect(await rejection(storyboard.create(wrong, storyboard.draft(tracker, sampleEvidence(), 'bug')))).toMatchObject({ status: 401, retryable: false });
		expect(await rejection(storyboard.fetch(wrong, '2011000'))).toMatchObject({ status: 401, retryable: false });
		expect(await rejection(storyboard.create({ ...tracker, credentials: null }, storyboard.draft(tracker, sampleEvidence(), 'bug')))).toMatchObject({
			retryable: false
		});
	});

	it('for a missing story are final, for a 5xx worth retrying', async () => {
		const trackerLog = watchTrackerLog();
		const error = await rejection(storyboard.fetch(tracker, '999'));
		expect(error).toMatchObject({ status: 404, retryable: false });
		expect(error.message).not.toContain('Story 999 not found');
		expect(error.message).toMatch(/answered \d+; the details are in the server log, reference [0-9a-f]{8}/);
		expect(trackerLog.detailOf(error)).toContain('Story 999 not found');
		trackerLog.restore();
		server.failNext(500);
		expect(await rejection(storyboard.fetch(tracker, '999'))).toMatchObject({ status: 500, retryable: true });
		server.failNext(503);
		expect(await rejection(storyboard.create(tracker, storyboard.draft(tracker, sampleEvidence(), 'bug')))).toMatchObject({ retryable: true });
		expect(await rejection(storyboard.fetch(tracker, 'abc'))).toMatchObject({ retryable: false });
	});
});

describe('StoryBoard URLs', () => {
	const real = () => ({ ...tracker, baseUrl: 'https://storyboard.openstack.org/api/v1' });

	it('name the story for the web client forms', () => {
		expect(storyboard.keyFromUrl(real(), 'https://storyboard.openstack.org/#!/story/2001234')).toBe('2001234');
		expect(storyboard.keyFromUrl(real(), 'https://storyboard.openstack.org/#!/story/2001234/')).toBe('2001234');
		expect(storyboard.keyFromUrl(real(), 'https://storyboard.openstack.org/#/story/2001234')).toBe('2001234');
		expect(
			storyboard.keyFromUrl(
				{ ...real(), baseUrl: 'https://sb.example.org/api/v1', settings: { webUrl: 'https://stories.example.org' } },
				'https://stories.example.org/#!/story/5'
			)
		).toBe('5');
	});

	it('reject other hosts and other pages', () => {
		expect(storyboard.keyFromUrl(real(), 'https://evil.example/#!/story/2001234')).toBeNull();
		expect(storyboard.keyFromUrl(real(), 'https://storyboard.openstack.org/#!/project/openstack/nova')).toBeNull();
		expect(storyboard.keyFromUrl(real(), 'https://storyboard.openstack.org/#!/story/0')).toBeNull();
		expect(storyboard.keyFromUrl(real(), 'https://storyboard.openstack.org/')).toBeNull();
		expect(storyboard.keyFromUrl(real(), 'nonsense')).toBeNull();
	});
});
