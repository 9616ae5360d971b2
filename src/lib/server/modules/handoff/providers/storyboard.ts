import type { HandoffKind, HandoffStatus } from '../handoff.tables.ts';
import { evidenceSections } from './evidence.ts';
import { TrackerError, type HandoffDraft, type NeedEvidence, type TrackerConnection, type TrackerProviderImpl, type UpstreamItem } from './provider.ts';
import { apiRoot, failOnError, parseJson, settingString, trackerRequest, type TrackerResponse } from './tracker-http.ts';

/*
 * OpenStack StoryBoard (https://storyboard.openstack.org/api/v1), whose stories take Markdown descriptions.
 * Shapes from storyboard/api/v1/{stories,tasks,projects}.py and wmodels.py:
 *
 *   GET  /projects?name=<name>        [{id, name}]   (the tracker's project may be given by name or by id)
 *   POST /stories                     {title, description, tags}           → the story {id, title, status, ...}
 *   POST /tasks                       {title, story_id, project_id, status} → the task
 *   GET  /stories/<id>                {id, title, status: active|merged|invalid, created_at, updated_at}
 *   GET  /stories/<id>/tasks          [{status: todo|inprogress|review|merged|invalid, project_id, updated_at}]
 *   errors                            {"faultcode", "faultstring"} (WSME)
 *
 * Writes need "Authorization: Bearer <access token>" (a token from the user's StoryBoard profile). StoryBoard has
 * no outgoing webhooks, so stories are polled.
 */

const LABEL = 'StoryBoard';
/** Task statuses from least to most advanced, to report the furthest a story has got. */
const TASK_ORDER = ['invalid', 'todo', 'inprogress', 'review', 'merged'];

interface Story {
	id: number;
	title: string;
	status: string;
	created_at: string;
	updated_at: string | null;
}
interface Task {
	status: string;
	project_id: number;
	created_at?: string;
	updated_at?: string | null;
}

function headers(tracker: TrackerConnection, json: boolean): Record<string, string> {
	const result: Record<string, string> = { accept: 'application/json' };
	const token = tracker.credentials?.token;
	if (token) result.authorization = `Bearer ${token}`;
	if (json) result['content-type'] = 'application/json';
	return result;
}

function detail(response: TrackerResponse): string | null {
	try {
		const body = JSON.parse(response.text) as { faultstring?: string };
		return body.faultstring ?? null;
	} catch {
		return null;
	}
}

async function call(tracker: TrackerConnection, path: string, what: string, body?: unknown): Promise<TrackerResponse> {
	if (body !== undefined && !tracker.credentials?.token) {
		throw new TrackerError("StoryBoard has no access token configured: add one in the tracker's settings.");
	}
	const response = await trackerRequest(LABEL, `${apiRoot(tracker.baseUrl)}${path}`, {
		method: body === undefined ? 'GET' : 'POST',
		headers: headers(tracker, body !== undefined),
		body: body === undefined ? undefined : JSON.stringify(body)
	});
	failOnError(LABEL, response, detail(response), what);
	return response;
}

/** StoryBoard writes naive timestamps in UTC. */
function date(value: string | null | undefined): Date | null {
	if (!value) return null;
	const parsed = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
	return Number.isNaN(parsed.getTime()) ? null : parsed;
}

export function storyStatus(storyState: string, taskStates: string[]): HandoffStatus {
	if (storyState === 'invalid') return 'declined_upstream';
	if (storyState === 'merged') return 'delivered';
	if (taskStates.some((s) => s === 'inprogress' || s === 'review' || s === 'merged')) return 'in_progress';
	return 'handed_upstream';
}

/** The web root the API sits under: https://storyboard.openstack.org for https://storyboard.openstack.org/api/v1. */
function webRoot(tracker: TrackerConnection): string {
	const configured = settingString(tracker.settings, 'webUrl', '');
	if (configured) return configured.replace(/\/+$/, '');
	return apiRoot(tracker.baseUrl).replace(/\/api\/v1$/, '');
}

function storyUrl(tracker: TrackerConnection, id: number | string): string {
	return `${webRoot(tracker)}/#!/story/${id}`;
}

async function projectId(tracker: TrackerConnection): Promise<number> {
	if (/^\d+$/.test(tracker.project)) return Number(tracker.project);
	const response = await call(tracker, `/projects?name=${encodeURIComponent(tracker.project)}`, `find project ${tracker.project}`);
	const projects = parseJson<{ id: number; name: string }[]>(LABEL, response);
	const project = projects.find((p) => p.name === tracker.project);
	if (!project) throw new TrackerError(`StoryBoard has no project named ${tracker.project}.`);
	return project.id;
}

export const storyboard: TrackerProviderImpl = {
	provider: 'storyboard',
	label: 'StoryBoard stories',
	kinds: ['bug', 'feature'],
	credentialFields: [{ name: 'token', label: 'Access token (from your StoryBoard profile)' }],
	settingFields: [
		{ name: 'tags', label: 'Story tags, separated by spaces or commas', placeholder: 'caucus' },
		{ name: 'webUrl', label: 'Web address, when not the API address without /api/v1', placeholder: 'https://storyboard.openstack.org' }
	],

	draft(tracker: TrackerConnection, evidence: NeedEvidence, kind: HandoffKind): HandoffDraft {
		// StoryBoard renders Markdown, so the member's text goes in as written and the evidence as Markdown.
		const parts = [evidence.need.body.trim() || '_No description was given._'];
		for (const section of evidenceSections(evidence)) parts.push(`### ${section.title}\n\n${section.markdown}`);
		return {
			kind,
			title: evidence.need.title,
			body: parts.join('\n\n'),
			fields: { tags: settingString(tracker.settings, 'tags', 'caucus') }
		};
	},

	async create(tracker: TrackerConnection, draft: HandoffDraft): Promise<UpstreamItem> {
		const title = draft.title.replace(/\s+/g, ' ').trim().slice(0, 255);
		if (!title) throw new TrackerError('A StoryBoard story needs a title.');
		// Find the project first: a story left without a task would belong to no project.
		const project = await projectId(tracker);
		const tags = (draft.fields.tags ?? settingString(tracker.settings, 'tags', 'caucus')).split(/[\s,]+/).filter(Boolean);
		const story = parseJson<Story>(
			LABEL,
			await call(tracker, '/stories', 'create a story', { title, description: draft.body, tags, is_bug: draft.kind === 'bug' })
		);
		try {
			await call(tracker, '/tasks', `add a task for project ${tracker.project}`, { title, story_id: story.id, project_id: project, status: 'todo' });
			return await storyboard.fetch(tracker, String(story.id));
		} catch {
			// The story exists; failing now would make the caller create a second one.
			return {
				key: String(story.id),
				url: storyUrl(tracker, story.id),
				title,
				state: story.status ?? 'active',
				status: 'handed_upstream',
				deliveredIn: null,
				updatedAt: new Date()
			};
		}
	},

	keyFromUrl(tracker: TrackerConnection, url: string): string | null {
		let parsed: URL;
		let web: URL;
		try {
			parsed = new URL(url);
			web = new URL(webRoot(tracker));
		} catch {
			return null;
		}
		if (parsed.origin !== web.origin) return null;
		// The web client routes in the fragment: /#!/story/2001234 (and /#!/story/2001234/... for its tabs).
		const match = /^#!?\/story\/([1-9]\d*)(?:\/.*)?$/.exec(parsed.hash);
		return match ? match[1] : null;
	},

	async fetch(tracker: TrackerConnection, key: string): Promise<UpstreamItem> {
		if (!/^[1-9]\d*$/.test(key)) throw new TrackerError(`"${key}" is not a StoryBoard story number.`);
		const story = parseJson<Story>(LABEL, await call(tracker, `/stories/${key}`, `read story ${key}`));
		const tasks = parseJson<Task[]>(LABEL, await call(tracker, `/stories/${key}/tasks`, `read the tasks of story ${key}`));
		const states = tasks.map((t) => t.status);
		const status = storyStatus(story.status, states);
		const furthest = states.reduce((best, s) => (TASK_ORDER.indexOf(s) > TASK_ORDER.indexOf(best) ? s : best), 'invalid');
		const dates = [story.created_at, story.updated_at, ...tasks.flatMap((t) => [t.created_at, t.updated_at])].map(date).filter((d): d is Date => d !== null);
		return {
			key: String(story.id),
			url: storyUrl(tracker, story.id),
			title: story.title,
			state: story.status === 'active' && states.length ? furthest : story.status,
			status,
			deliveredIn: null,
			updatedAt: dates.length ? new Date(Math.max(...dates.map((d) => d.getTime()))) : new Date()
		};
	}
};
