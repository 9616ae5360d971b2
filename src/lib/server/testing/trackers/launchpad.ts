import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stateful stand-in for Launchpad's web service (lazr.restful, API version "devel") on 127.0.0.1 at a random port,
 * speaking the subset Caucus uses:
 *
 *   POST /devel/bugs                      ws.op=createBug (target, title, description)        → 201 + Location
 *   GET  /devel/bugs/<n>                  the bug; /devel/bugs/<n>/bug_tasks its tasks
 *   POST /devel/specs                     ws.op=createSpecification (name, title, summary, definition_status, target)
 *   GET  /devel/<project>/+spec/<name>    the blueprint
 *
 * Every request must carry an OAuth 1.0 PLAINTEXT Authorization header with the configured consumer key and token
 * and the signature "&<token secret>"; otherwise Launchpad's 401 with a plain-text reason. Refusals are plain text,
 * as lazr.restful writes them. Web links point at this server ("/<project>/+bug/<n>", "/<project>/+spec/<name>").
 */

export interface FakeLaunchpadBug {
	id: number;
	title: string;
	description: string;
	tags: string[];
	project: string;
	status: string;
	milestone: string | null;
	updated: Date;
}

export interface FakeLaunchpadSpec {
	name: string;
	title: string;
	summary: string;
	project: string;
	definitionStatus: string;
	implementationStatus: string;
	milestone: string | null;
	created: Date;
	started: Date | null;
	completed: Date | null;
}

export interface FakeLaunchpad {
	/** What a tracker's base URL is set to: http://127.0.0.1:<port>/devel */
	baseUrl: string;
	bugs: Map<number, FakeLaunchpadBug>;
	specs: Map<string, FakeLaunchpadSpec>;
	requests: { method: string; path: string; authorized: boolean; form: Record<string, unknown> | null }[];
	/** Changes the project's bug task as a developer would (status, milestone), bumping date_last_updated. */
	setBugTask(id: number, change: { status: string; milestone?: string | null }): void;
	/** Changes a blueprint's definition and implementation status (and milestone). */
	setSpec(name: string, change: { definitionStatus?: string; implementationStatus?: string; milestone?: string | null }): void;
	/** Answers the next `count` requests with this status. */
	failNext(status: number, count?: number): void;
	close(): Promise<void>;
}

const DEFINITION_STATUSES = ['New', 'Discussion', 'Drafting', 'Review', 'Pending Approval', 'Approved'];
const NAME = /^[a-z0-9][a-z0-9+.-]+$/;

function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

function text(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
	response.writeHead(status, { 'content-type': 'text/plain;charset=utf-8', ...headers });
	response.end(body);
}

function json(response: ServerResponse, body: unknown): void {
	response.writeHead(200, { 'content-type': 'application/json' });
	response.end(JSON.stringify(body));
}

/** The parameters of an "Authorization: OAuth k="v", ..." header, percent-decoded. */
function oauthParams(header: string | undefined): Map<string, string> | null {
	if (!header?.startsWith('OAuth ')) return null;
	const params = new Map<string, string>();
	for (const match of header.slice(6).matchAll(/([a-z_]+)="([^"]*)"/g)) params.set(match[1], decodeURIComponent(match[2]));
	return params;
}

export async function startFakeLaunchpad(options: {
	consumerKey: string;
	oauthToken: string;
	oauthSecret: string;
	projects: string[];
}): Promise<FakeLaunchpad> {
	const bugs = new Map<number, FakeLaunchpadBug>();
	const specs = new Map<string, FakeLaunchpadSpec>();
	const requests: FakeLaunchpad['requests'] = [];
	let failures: { status: number; remaining: number } | null = null;
	let nextBug = 2_100_000;
	let origin = '';
	const api = () => `${origin}/devel`;

	function authenticate(request: IncomingMessage): string | null {
		const params = oauthParams(request.headers.authorization);
		if (!params) return 'Unauthorized';
		if (params.get('oauth_signature_method') !== 'PLAINTEXT') return 'Unsupported signature method.';
		if (params.get('oauth_consumer_key') !== options.consumerKey) return `Unknown consumer (${params.get('oauth_consumer_key')}).`;
		if (params.get('oauth_token') !== options.oauthToken) return `Unknown access token (${params.get('oauth_token')}).`;
		// PLAINTEXT: the percent-encoded consumer secret (empty for Launchpad), "&", the percent-encoded token secret.
		const [consumerSecret, tokenSecret] = (params.get('oauth_signature') ?? '').split('&');
		if (consumerSecret !== '' || tokenSecret === undefined || decodeURIComponent(tokenSecret) !== options.oauthSecret) return 'Invalid OAuth signature.';
		if (!params.get('oauth_nonce') || !/^\d+$/.test(params.get('oauth_timestamp') ?? '')) return 'Missing nonce or timestamp.';
		return null;
	}

	function projectFromLink(link: string | undefined): string | null {
		if (!link?.startsWith(`${api()}/`)) return null;
		const name = decodeURIComponent(link.slice(api().length + 1));
		return options.projects.includes(name) ? name : null;
	}

	function bugRepresentation(bug: FakeLaunchpadBug) {
		return {
			self_link: `${api()}/bugs/${bug.id}`,
			web_link: `${origin}/bugs/${bug.id}`,
			resource_type_link: `${api()}/#bug`,
			id: bug.id,
			title: bug.title,
			description: bug.description,
			tags: bug.tags,
			date_last_updated: bug.updated.toISOString().replace('Z', '+00:00'),
			bug_tasks_collection_link: `${api()}/bugs/${bug.id}/bug_tasks`
		};
	}

	function taskRepresentation(bug: FakeLaunchpadBug) {
		return {
			self_link: `${api()}/${bug.project}/+bug/${bug.id}`,
			web_link: `${origin}/${bug.project}/+bug/${bug.id}`,
			resource_type_link: `${api()}/#bug_task`,
			status: bug.status,
			importance: 'Undecided',
			bug_target_name: bug.project,
			target_link: `${api()}/${bug.project}`,
			milestone_link: bug.milestone ? `${api()}/${bug.project}/+milestone/${bug.milestone}` : null,
			bug_link: `${api()}/bugs/${bug.id}`
		};
	}

	function specRepresentation(spec: FakeLaunchpadSpec) {
		return {
			self_link: `${api()}/${spec.project}/+spec/${spec.name}`,
			web_link: `${origin}/${spec.project}/+spec/${spec.name}`,
			resource_type_link: `${api()}/#specification`,
			name: spec.name,
			title: spec.title,
			summary: spec.summary,
			definition_status: spec.definitionStatus,
			implementation_status: spec.implementationStatus,
			milestone_link: spec.milestone ? `${api()}/${spec.project}/+milestone/${spec.milestone}` : null,
			target_link: `${api()}/${spec.project}`,
			date_created: spec.created.toISOString().replace('Z', '+00:00'),
			date_started: spec.started?.toISOString().replace('Z', '+00:00') ?? null,
			date_completed: spec.completed?.toISOString().replace('Z', '+00:00') ?? null,
			is_complete: spec.completed !== null
		};
	}

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://fake');
		const body = await readBody(request);
		// Named-operation parameters as lazr.restful reads them: JSON when they parse as JSON, else the bare string.
		const form: Record<string, any> | null =
			request.method === 'POST'
				? Object.fromEntries(
						[...new URLSearchParams(body)].map(([name, value]) => {
							if (name === 'ws.op') return [name, value];
							try {
								return [name, JSON.parse(value)];
							} catch {
								return [name, value];
							}
						})
					)
				: null;
		const refusal = authenticate(request);
		requests.push({ method: request.method ?? 'GET', path: url.pathname, authorized: refusal === null, form });
		if (failures && failures.remaining > 0) {
			failures.remaining -= 1;
			return text(response, failures.status, 'Service temporarily unavailable.');
		}
		if (refusal) return text(response, 401, refusal);

		if (request.method === 'POST' && url.pathname === '/devel/bugs') {
			if (form?.['ws.op'] !== 'createBug') return text(response, 400, `No such operation: ${form?.['ws.op']}`);
			const project = projectFromLink(form.target);
			if (!project) return text(response, 400, 'target: Invalid value.');
			if (typeof form.title !== 'string') return text(response, 400, `title: not a unicode string: ${JSON.stringify(form.title)}`);
			if (typeof form.description !== 'string') return text(response, 400, `description: not a unicode string: ${JSON.stringify(form.description)}`);
			if (!form.title.trim()) return text(response, 400, 'title: Required input is missing.');
			if (!form.description.trim()) return text(response, 400, 'description: Required input is missing.');
			if (form.description.length > 50_000) return text(response, 400, 'description: Value is too long.');
			const tags: unknown[] = form.tags === undefined ? [] : Array.isArray(form.tags) ? form.tags : [form.tags];
			const badTag = tags.find((tag) => typeof tag !== 'string' || !/^[a-z0-9][a-z0-9+.-]*$/.test(tag));
			if (badTag !== undefined) return text(response, 400, `tags: ${JSON.stringify(badTag)} is not a valid tag name.`);
			const bug: FakeLaunchpadBug = {
				id: nextBug++,
				title: form.title,
				description: form.description,
				tags: tags as string[],
				project,
				status: 'New',
				milestone: null,
				updated: new Date()
			};
			bugs.set(bug.id, bug);
			return text(response, 201, '', { location: `${api()}/bugs/${bug.id}` });
		}
		if (request.method === 'POST' && url.pathname === '/devel/specs') {
			if (form?.['ws.op'] !== 'createSpecification') return text(response, 400, `No such operation: ${form?.['ws.op']}`);
			const project = projectFromLink(form.target);
			if (!project) return text(response, 400, 'target: Invalid value.');
			for (const field of ['name', 'title', 'summary', 'definition_status']) {
				if (typeof form[field] !== 'string') return text(response, 400, `${field}: Required input is missing.`);
			}
			if (!NAME.test(form.name)) return text(response, 400, 'name: Invalid name.');
			if (specs.has(`${project}/${form.name}`)) return text(response, 400, `name: ${form.name} is already in use by another blueprint.`);
			if (!form.title?.trim()) return text(response, 400, 'title: Required input is missing.');
			if (!form.summary?.trim()) return text(response, 400, 'summary: Required input is missing.');
			if (!DEFINITION_STATUSES.includes(form.definition_status)) return text(response, 400, 'definition_status: Invalid value.');
			const spec: FakeLaunchpadSpec = {
				name: form.name,
				title: form.title,
				summary: form.summary,
				project,
				definitionStatus: form.definition_status,
				implementationStatus: 'Unknown',
				milestone: null,
				created: new Date(),
				started: null,
				completed: null
			};
			specs.set(`${project}/${spec.name}`, spec);
			return text(response, 201, '', { location: `${api()}/${project}/+spec/${spec.name}` });
		}
		if (request.method === 'GET') {
			const bugMatch = /^\/devel\/bugs\/(\d+)(\/bug_tasks)?$/.exec(url.pathname);
			if (bugMatch) {
				const bug = bugs.get(Number(bugMatch[1]));
				if (!bug) return text(response, 404, `Object: <lp.bugs.model.bug.BugSet object>, name: '${bugMatch[1]}'`);
				if (!bugMatch[2]) return json(response, bugRepresentation(bug));
				return json(response, { start: 0, total_size: 1, entries: [taskRepresentation(bug)], resource_type_link: `${api()}/#bug_task-page-resource` });
			}
			const specMatch = /^\/devel\/([^/]+)\/\+spec\/([^/]+)$/.exec(url.pathname);
			if (specMatch) {
				const spec = specs.get(`${decodeURIComponent(specMatch[1])}/${decodeURIComponent(specMatch[2])}`);
				if (!spec) return text(response, 404, `Object: <Product>, name: '+spec/${specMatch[2]}'`);
				return json(response, specRepresentation(spec));
			}
		}
		return text(response, 404, `Object: <lp.systemhomes.WebServiceApplication object>, name: '${url.pathname}'`);
	}

	const server: Server = createServer((request, response) => {
		handle(request, response).catch((error) => text(response, 500, String(error)));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	const later = (previous: Date) => new Date(Math.max(Date.now(), previous.getTime() + 1000));

	return {
		baseUrl: api(),
		bugs,
		specs,
		requests,
		setBugTask(id, change) {
			const bug = bugs.get(id);
			if (!bug) throw new Error(`The fake Launchpad has no bug ${id}`);
			bug.status = change.status;
			if (change.milestone !== undefined) bug.milestone = change.milestone;
			bug.updated = later(bug.updated);
		},
		setSpec(name, change) {
			const spec = [...specs.values()].find((s) => s.name === name);
			if (!spec) throw new Error(`The fake Launchpad has no blueprint ${name}`);
			if (change.definitionStatus) spec.definitionStatus = change.definitionStatus;
			if (change.implementationStatus) {
				spec.implementationStatus = change.implementationStatus;
				if (!spec.started && change.implementationStatus !== 'Unknown' && change.implementationStatus !== 'Not started') spec.started = later(spec.created);
				if (change.implementationStatus === 'Implemented') spec.completed = later(spec.started ?? spec.created);
			}
			if (change.definitionStatus === 'Obsolete' || change.definitionStatus === 'Superseded') spec.completed = later(spec.created);
			if (change.milestone !== undefined) spec.milestone = change.milestone;
		},
		failNext(status, count = 1) {
			failures = { status, remaining: count };
		},
		close() {
			return new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			});
		}
	};
}
