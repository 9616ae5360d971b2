import { randomBytes } from 'node:crypto';
import type { HandoffKind, HandoffStatus } from '../handoff.tables.ts';
import { convertMarkdown } from './markup.ts';
import { evidenceSections, slugify } from './evidence.ts';
import { TrackerError, type HandoffDraft, type NeedEvidence, type TrackerConnection, type TrackerProviderImpl, type UpstreamItem } from './provider.ts';
import { apiRoot, failOnError, parseJson, requireCredential, settingString, trackerRequest, type TrackerResponse } from './tracker-http.ts';

/*
 * Launchpad's web service (lazr.restful) at https://api.launchpad.net/devel, for bugs and blueprints.
 *
 *   POST /bugs            ws.op=createBug&target=<project link>&title=…&description=…&tags=[…] → 201, Location: …/bugs/<n>
 *   GET  /bugs/<n>        {id, title, web_link, date_last_updated, bug_tasks_collection_link}
 *   GET  /bugs/<n>/bug_tasks  {entries: [{status, target_link, milestone_link, web_link}]}  (its bug_tasks_collection_link)
 *   POST /specs           ws.op=createSpecification&name=…&title=…&summary=…&definition_status=New&target=<project link>
 *                         → 201, Location: …/<project>/+spec/<name>
 *   GET  /<project>/+spec/<name>  {name, title, web_link, definition_status, implementation_status, milestone_link, date_*}
 *
 * Blueprints can be created through the API: ISpecificationSet.createSpecification is exported on the "devel"
 * version (lib/lp/blueprints/interfaces/specification.py, tested in lib/lp/blueprints/tests/test_webservice.py),
 * and the blueprint fields are only exported on "devel", hence that API version.
 *
 * Requests are signed with OAuth 1.0 PLAINTEXT as https://help.launchpad.net/API/SigningRequests describes: the
 * consumer secret is empty, so the signature is "&" followed by the access token's secret. Form-encoded POSTs.
 * Launchpad sends no usable webhooks for bug or blueprint status, so these handoffs are polled.
 */

const LABEL = 'Launchpad';

/** Bug task statuses (lp.bugs.interfaces.bugtask.BugTaskStatus titles) by Caucus status. */
const BUG_STATUS: Record<string, HandoffStatus> = {
	New: 'handed_upstream',
	Incomplete: 'handed_upstream',
	Confirmed: 'handed_upstream',
	Triaged: 'handed_upstream',
	Unknown: 'handed_upstream',
	'In Progress': 'in_progress',
	// Merged but not yet in a release: delivered only once released.
	'Fix Committed': 'in_progress',
	'Fix Released': 'delivered',
	"Won't Fix": 'declined_upstream',
	Invalid: 'declined_upstream',
	Opinion: 'declined_upstream',
	Expired: 'declined_upstream'
};

/** Implementation statuses (lp.blueprints.enums.SpecificationImplementationStatus) that mean work has begun. */
const STARTED = new Set(['Started', 'Slow progress', 'Good progress', 'Beta Available', 'Needs Code Review', 'Deployment', 'Blocked', 'Needs Infrastructure']);

export function bugStatus(taskStatus: string): HandoffStatus {
	return BUG_STATUS[taskStatus] ?? 'handed_upstream';
}

export function blueprintStatus(definition: string, implementation: string): HandoffStatus {
	if (definition === 'Obsolete' || definition === 'Superseded') return 'declined_upstream';
	if (implementation === 'Implemented') return 'delivered';
	if (implementation === 'Informational') return definition === 'Approved' ? 'delivered' : 'handed_upstream';
	if (STARTED.has(implementation)) return 'in_progress';
	// An approved blueprint is accepted upstream, like a merged spec: the developers mean to do it.
	if (definition === 'Approved') return 'in_progress';
	return 'handed_upstream';
}

/** RFC 5849 percent-encoding. */
function oauthEncode(value: string): string {
	return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function oauthHeader(credentials: Record<string, string> | null): string {
	const consumerKey = requireCredential(LABEL, credentials, 'consumerKey');
	const token = requireCredential(LABEL, credentials, 'oauthToken');
	const secret = requireCredential(LABEL, credentials, 'oauthSecret');
	const params: [string, string][] = [
		['oauth_consumer_key', consumerKey],
		['oauth_token', token],
		['oauth_signature_method', 'PLAINTEXT'],
		['oauth_signature', `&${oauthEncode(secret)}`],
		['oauth_timestamp', String(Math.floor(Date.now() / 1000))],
		['oauth_nonce', randomBytes(16).toString('hex')],
		['oauth_version', '1.0']
	];
	return `OAuth realm="https://api.launchpad.net/", ${params.map(([name, value]) => `${name}="${oauthEncode(value)}"`).join(', ')}`;
}

function detail(response: TrackerResponse): string | null {
	// lazr.restful explains refusals in a short plain-text body.
	const text = response.text.trim();
	return text && !text.startsWith('<') ? text : null;
}

/**
 * lazr.restful reads each parameter of a named operation as JSON when it parses as JSON, and as a bare string
 * otherwise (SimpleFieldMarshaller.marshall_from_request). Every parameter but the operation's name is sent
 * JSON-encoded, so a title such as "null" or "123" stays a string and a list of tags arrives as a list.
 */
function formBody(form: Record<string, unknown>): string {
	const params = new URLSearchParams();
	for (const [name, value] of Object.entries(form)) params.append(name, name === 'ws.op' ? String(value) : JSON.stringify(value));
	return params.toString();
}

async function call(tracker: TrackerConnection, url: string, what: string, form?: Record<string, unknown>): Promise<TrackerResponse> {
	const headers: Record<string, string> = { authorization: oauthHeader(tracker.credentials), accept: 'application/json' };
	if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
	const response = await trackerRequest(LABEL, url, { method: form ? 'POST' : 'GET', headers, body: form ? formBody(form) : undefined });
	failOnError(LABEL, response, detail(response), what);
	return response;
}

/** The API root with its version: a bare https://api.launchpad.net means the "devel" version this provider needs. */
function lpRoot(tracker: TrackerConnection): string {
	const root = apiRoot(tracker.baseUrl);
	try {
		return new URL(root).pathname === '/' ? `${root}/devel` : root;
	} catch {
		return root;
	}
}

function projectLink(tracker: TrackerConnection): string {
	return `${lpRoot(tracker)}/${encodeURIComponent(tracker.project)}`;
}

function lastSegment(link: string | null | undefined): string | null {
	if (!link) return null;
	const segment = link.replace(/\/+$/, '').split('/').pop();
	return segment ? decodeURIComponent(segment) : null;
}

function date(value: string | null | undefined): Date | null {
	if (!value) return null;
	const parsed = new Date(value);
	return Number.isNaN(parsed.getTime()) ? null : parsed;
}

interface LaunchpadBug {
	id: number;
	title: string;
	web_link: string;
	date_last_updated: string;
}
interface LaunchpadBugTask {
	status: string;
	target_link: string;
	milestone_link: string | null;
	web_link?: string;
}
interface LaunchpadSpec {
	name: string;
	title: string;
	web_link: string;
	definition_status: string;
	implementation_status: string;
	milestone_link: string | null;
	date_created: string;
	date_started: string | null;
	date_completed: string | null;
}

async function fetchBug(tracker: TrackerConnection, id: string): Promise<UpstreamItem> {
	const bug = parseJson<LaunchpadBug>(LABEL, await call(tracker, `${lpRoot(tracker)}/bugs/${id}`, `read bug ${id}`));
	// The collection's address is built here rather than followed from the answer, so the signed request can only
	// ever go to the configured API.
	const tasks = parseJson<{ entries: LaunchpadBugTask[] }>(
		LABEL,
		await call(tracker, `${lpRoot(tracker)}/bugs/${id}/bug_tasks`, `read the tasks of bug ${id}`)
	);
	// A bug can affect several projects; the task for this tracker's project is the one that says what became of it.
	const link = projectLink(tracker);
	const task = tasks.entries.find((t) => t.target_link === link || lastSegment(t.target_link) === tracker.project) ?? tasks.entries[0];
	const state = task?.status ?? 'Unknown';
	const status = bugStatus(state);
	return {
		key: String(bug.id),
		url: task?.web_link ?? bug.web_link,
		title: bug.title,
		state,
		status,
		deliveredIn: status === 'declined_upstream' ? null : lastSegment(task?.milestone_link),
		updatedAt: date(bug.date_last_updated) ?? new Date()
	};
}

async function fetchSpec(tracker: TrackerConnection, name: string): Promise<UpstreamItem> {
	const spec = parseJson<LaunchpadSpec>(LABEL, await call(tracker, `${projectLink(tracker)}/+spec/${encodeURIComponent(name)}`, `read blueprint ${name}`));
	const status = blueprintStatus(spec.definition_status, spec.implementation_status);
	// Blueprints carry no "last updated"; the latest lifecycle date is the best Launchpad offers.
	const dates = [spec.date_created, spec.date_started, spec.date_completed].map(date).filter((d): d is Date => d !== null);
	return {
		key: `+spec/${spec.name}`,
		url: spec.web_link,
		title: spec.title,
		state: `${spec.definition_status} / ${spec.implementation_status}`,
		status,
		deliveredIn: status === 'declined_upstream' ? null : lastSegment(spec.milestone_link),
		updatedAt: dates.length ? new Date(Math.max(...dates.map((d) => d.getTime()))) : new Date()
	};
}

/** The web hosts of a Launchpad instance: bugs.launchpad.net and blueprints.launchpad.net for api.launchpad.net. */
function webHosts(tracker: TrackerConnection): string[] {
	const host = new URL(lpRoot(tracker)).host;
	if (host.startsWith('api.')) {
		const site = host.slice(4);
		return [site, `bugs.${site}`, `blueprints.${site}`];
	}
	// A local Launchpad (the test server) serves its web links from its own host.
	return [host];
}

function webUrl(tracker: TrackerConnection, key: string): string {
	const api = new URL(lpRoot(tracker));
	const [site, bugs, blueprints] = webHosts(tracker);
	const host = key.startsWith('+spec/') ? (blueprints ?? site) : (bugs ?? site);
	return `${api.protocol}//${host}/${tracker.project}/${key.startsWith('+spec/') ? key : `+bug/${key}`}`;
}

function defaultTags(tracker: TrackerConnection): string {
	return settingString(tracker.settings, 'tags', 'caucus');
}

/** Launchpad tags are lower-case words of letters, digits, "+", "-" and "."; anything else is dropped. */
function tagList(value: string): string[] {
	return [
		...new Set(
			value
				.split(/[\s,]+/)
				.map((tag) => tag.toLowerCase())
				.filter((tag) => /^[a-z0-9][a-z0-9+.-]*$/.test(tag))
		)
	];
}

const BLUEPRINT_NAME = /^[a-z0-9][a-z0-9+.-]*$/;

export const launchpad: TrackerProviderImpl = {
	provider: 'launchpad',
	label: 'Launchpad (bugs and blueprints)',
	kinds: ['bug', 'blueprint'],
	credentialFields: [
		{ name: 'consumerKey', label: 'OAuth consumer key (the application name the token was issued to)' },
		{ name: 'oauthToken', label: 'OAuth access token' },
		{ name: 'oauthSecret', label: 'OAuth access token secret' }
	],
	settingFields: [{ name: 'tags', label: 'Bug tags, separated by spaces or commas', placeholder: 'caucus' }],

	draft(tracker: TrackerConnection, evidence: NeedEvidence, kind: HandoffKind): HandoffDraft {
		// Launchpad shows bug descriptions and blueprint summaries as plain text, linking bare URLs.
		const parts = [convertMarkdown(evidence.need.body, 'plain') || '(No description was given.)'];
		for (const section of evidenceSections(evidence)) {
			const title = section.title;
			parts.push(`${title}\n${'-'.repeat(title.length)}\n${convertMarkdown(section.markdown, 'plain')}`);
		}
		const fields: Record<string, string> = {};
		// Blueprints have no tags; bugs do.
		if (kind === 'blueprint') fields.name = slugify(evidence.need.title, 50);
		else fields.tags = defaultTags(tracker);
		return { kind, title: evidence.need.title, body: parts.join('\n\n'), fields };
	},

	async create(tracker: TrackerConnection, draft: HandoffDraft): Promise<UpstreamItem> {
		const title = draft.title.replace(/\s+/g, ' ').trim();
		if (!title) throw new TrackerError('A Launchpad bug or blueprint needs a title.');
		let response: TrackerResponse;
		let key: string;
		if (draft.kind === 'bug') {
			response = await call(tracker, `${lpRoot(tracker)}/bugs`, `file a bug on ${tracker.project}`, {
				'ws.op': 'createBug',
				target: projectLink(tracker),
				title,
				description: draft.body,
				tags: tagList(draft.fields.tags ?? defaultTags(tracker))
			});
			const id = lastSegment(response.headers.get('location'));
			if (!id || !/^\d+$/.test(id)) throw new TrackerError('Launchpad filed the bug but did not say where.', { status: response.status });
			key = id;
		} else if (draft.kind === 'blueprint') {
			const name = (draft.fields.name || slugify(title, 50)).toLowerCase();
			if (!BLUEPRINT_NAME.test(name)) {
				throw new TrackerError(`"${name}" cannot name a blueprint: use lower-case letters, digits and dashes.`);
			}
			response = await call(tracker, `${lpRoot(tracker)}/specs`, `register a blueprint on ${tracker.project}`, {
				'ws.op': 'createSpecification',
				name,
				title,
				summary: draft.body,
				definition_status: 'New',
				target: projectLink(tracker)
			});
			key = `+spec/${lastSegment(response.headers.get('location')) ?? name}`;
		} else {
			throw new TrackerError(`Launchpad takes bugs and blueprints, not a ${draft.kind}.`);
		}
		try {
			return await launchpad.fetch(tracker, key);
		} catch {
			// Created already: failing now would make the caller create it twice.
			return {
				key,
				url: webUrl(tracker, key),
				title,
				state: draft.kind === 'bug' ? 'New' : 'New / Unknown',
				status: 'handed_upstream',
				deliveredIn: null,
				updatedAt: new Date()
			};
		}
	},

	keyFromUrl(tracker: TrackerConnection, url: string): string | null {
		let parsed: URL;
		let hosts: string[];
		try {
			parsed = new URL(url);
			hosts = webHosts(tracker);
		} catch {
			return null;
		}
		if (!hosts.includes(parsed.host) || !['http:', 'https:'].includes(parsed.protocol)) return null;
		const path = parsed.pathname.replace(/\/+$/, '');
		const project = tracker.project.toLowerCase();
		// bugs.launchpad.net/<project>/+bug/<n>, launchpad.net/bugs/<n>, bugs.launchpad.net/bugs/<n>
		const projectBug = /^\/([^/]+)\/\+bug\/(\d+)$/.exec(path);
		if (projectBug) return projectBug[1].toLowerCase() === project ? projectBug[2] : null;
		const bareBug = /^\/bugs\/(\d+)$/.exec(path);
		if (bareBug) return bareBug[1];
		// blueprints.launchpad.net/<project>/+spec/<name>
		const spec = /^\/([^/]+)\/\+spec\/([^/]+)$/.exec(path);
		if (spec && spec[1].toLowerCase() === project && BLUEPRINT_NAME.test(spec[2])) return `+spec/${spec[2]}`;
		return null;
	},

	async fetch(tracker: TrackerConnection, key: string): Promise<UpstreamItem> {
		if (/^\d+$/.test(key)) return fetchBug(tracker, key);
		const spec = /^\+spec\/(.+)$/.exec(key);
		if (spec && BLUEPRINT_NAME.test(spec[1])) return fetchSpec(tracker, spec[1]);
		throw new TrackerError(`"${key}" is neither a Launchpad bug number nor a blueprint.`);
	}
};
