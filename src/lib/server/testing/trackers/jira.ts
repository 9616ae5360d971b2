import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stateful stand-in for Jira's REST API v2, on 127.0.0.1 at a random port, speaking the subset Caucus uses:
 *
 *   POST /rest/api/2/issue            create an issue (project key, issue type by name, summary, description, labels)
 *   GET  /rest/api/2/issue/{key}      read it (the `fields` query parameter is honoured)
 *
 * Requests need HTTP Basic credentials equal to `email`/`apiToken`; others get Jira Cloud's 401 answer. Errors use
 * Jira's error collection, {"errorMessages": [...], "errors": {field: message}}. Tests move issues through the
 * workflow with `transition()` and build signed webhook deliveries with `webhook()` (or post them with `deliverWebhook()`).
 */

export interface FakeJiraIssue {
	id: string;
	key: string;
	project: string;
	issueType: string;
	summary: string;
	description: string;
	labels: string[];
	status: { name: string; category: 'new' | 'indeterminate' | 'done' };
	resolution: string | null;
	fixVersions: string[];
	updated: Date;
}

export interface FakeJira {
	/** What a tracker's base URL is set to. */
	baseUrl: string;
	issues: Map<string, FakeJiraIssue>;
	/** Every request received, in order: method, path and whether it was authenticated. */
	requests: { method: string; path: string; authorized: boolean }[];
	/** Moves an issue to a status (and resolution, fix version) as Jira's workflow would, bumping `updated`. */
	transition(
		key: string,
		change: { status: string; category: 'new' | 'indeterminate' | 'done'; resolution?: string | null; fixVersion?: string | null }
	): FakeJiraIssue;
	/** Answers the next `count` requests with this status (e.g. 503), as an overloaded Jira would. */
	failNext(status: number, count?: number): void;
	/** A "jira:issue_updated" delivery for the issue as Jira sends it, signed with `secret` (X-Hub-Signature). */
	webhook(key: string, secret: string, event?: string): { headers: Record<string, string>; body: string };
	/** Posts that delivery to a URL (the Caucus webhook endpoint) and returns the response status. */
	deliverWebhook(url: string, key: string, secret: string): Promise<number>;
	close(): Promise<void>;
}

const ISSUE_TYPES = ['Bug', 'Story', 'New Feature', 'Task', 'Improvement', 'Epic'];

function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

function send(response: ServerResponse, status: number, body: unknown): void {
	const text = typeof body === 'string' ? body : JSON.stringify(body);
	response.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain;charset=UTF-8' : 'application/json;charset=UTF-8' });
	response.end(text);
}

/** Jira's own timestamp format: 2026-11-26T01:02:03.000+0000. */
function jiraDate(date: Date): string {
	return date.toISOString().replace('Z', '+0000');
}

export async function startFakeJira(options: { email: string; apiToken: string; projects: string[] }): Promise<FakeJira> {
	const issues = new Map<string, FakeJiraIssue>();
	const requests: FakeJira['requests'] = [];
	const counters = new Map<string, number>();
	let failures: { status: number; remaining: number } | null = null;
	let nextId = 10000;
	let baseUrl = '';

	function representation(issue: FakeJiraIssue, fields: string[] | null) {
		const all: Record<string, unknown> = {
			summary: issue.summary,
			description: issue.description,
			issuetype: { name: issue.issueType },
			project: { key: issue.project },
			labels: issue.labels,
			status: {
				name: issue.status.name,
				statusCategory: { key: issue.status.category, name: { new: 'To Do', indeterminate: 'In Progress', done: 'Done' }[issue.status.category] }
			},
			resolution: issue.resolution ? { name: issue.resolution } : null,
			fixVersions: issue.fixVersions.map((name, i) => ({ id: String(20000 + i), name, released: true })),
			updated: jiraDate(issue.updated)
		};
		const chosen = fields ? Object.fromEntries(Object.entries(all).filter(([name]) => fields.includes(name))) : all;
		return { id: issue.id, key: issue.key, self: `${baseUrl}/rest/api/2/issue/${issue.id}`, fields: chosen };
	}

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://fake');
		const expected = `Basic ${Buffer.from(`${options.email}:${options.apiToken}`).toString('base64')}`;
		const authorized = request.headers.authorization === expected;
		requests.push({ method: request.method ?? 'GET', path: url.pathname, authorized });
		const body = await readBody(request);
		if (failures && failures.remaining > 0) {
			failures.remaining -= 1;
			return send(response, failures.status, '<html><body>Service Unavailable</body></html>');
		}
		if (!authorized) return send(response, 401, 'Client must be authenticated to access this resource.');

		if (request.method === 'POST' && url.pathname === '/rest/api/2/issue') {
			let input: { fields?: Record<string, any> };
			try {
				input = JSON.parse(body);
			} catch {
				return send(response, 400, { errorMessages: ['Unexpected character in the request body.'], errors: {} });
			}
			const fields = input.fields ?? {};
			const errors: Record<string, string> = {};
			const project = fields.project?.key;
			if (typeof project !== 'string' || !options.projects.includes(project)) errors.project = 'valid project is required';
			if (!ISSUE_TYPES.includes(fields.issuetype?.name)) errors.issuetype = 'Specify a valid issue type';
			if (typeof fields.summary !== 'string' || fields.summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
			else if (fields.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
			if (fields.labels !== undefined && (!Array.isArray(fields.labels) || fields.labels.some((l: unknown) => typeof l !== 'string' || /\s/.test(l)))) {
				errors.labels = 'Labels cannot contain spaces.';
			}
			if (Object.keys(errors).length) return send(response, 400, { errorMessages: [], errors });
			const number = (counters.get(project) ?? 0) + 1;
			counters.set(project, number);
			const issue: FakeJiraIssue = {
				id: String(nextId++),
				key: `${project}-${number}`,
				project,
				issueType: fields.issuetype.name,
				summary: fields.summary,
				description: typeof fields.description === 'string' ? fields.description : '',
				labels: fields.labels ?? [],
				status: { name: 'To Do', category: 'new' },
				resolution: null,
				fixVersions: [],
				updated: new Date()
			};
			issues.set(issue.key, issue);
			return send(response, 201, { id: issue.id, key: issue.key, self: `${baseUrl}/rest/api/2/issue/${issue.id}` });
		}

		const match = /^\/rest\/api\/2\/issue\/([^/]+)$/.exec(url.pathname);
		if (request.method === 'GET' && match) {
			const idOrKey = decodeURIComponent(match[1]);
			const issue = issues.get(idOrKey.toUpperCase()) ?? [...issues.values()].find((i) => i.id === idOrKey);
			if (!issue) return send(response, 404, { errorMessages: ['Issue does not exist or you do not have permission to see it.'], errors: {} });
			const fields = url.searchParams.get('fields');
			return send(response, 200, representation(issue, fields ? fields.split(',') : null));
		}
		return send(response, 404, { errorMessages: ['null for uri: ' + url.pathname], errors: {} });
	}

	const server: Server = createServer((request, response) => {
		handle(request, response).catch((error) => send(response, 500, { errorMessages: [String(error)], errors: {} }));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	function issueOrThrow(key: string): FakeJiraIssue {
		const issue = issues.get(key);
		if (!issue) throw new Error(`The fake Jira has no issue ${key}`);
		return issue;
	}

	const fake: FakeJira = {
		baseUrl,
		issues,
		requests,
		transition(key, change) {
			const issue = issueOrThrow(key);
			issue.status = { name: change.status, category: change.category };
			if (change.resolution !== undefined) issue.resolution = change.resolution;
			if (change.fixVersion !== undefined) issue.fixVersions = change.fixVersion ? [change.fixVersion] : [];
			// Strictly later than before, whatever the clock's resolution.
			issue.updated = new Date(Math.max(Date.now(), issue.updated.getTime() + 1000));
			return issue;
		},
		failNext(status, count = 1) {
			failures = { status, remaining: count };
		},
		webhook(key, secret, event = 'jira:issue_updated') {
			const issue = issueOrThrow(key);
			const body = JSON.stringify({
				timestamp: issue.updated.getTime(),
				webhookEvent: event,
				issue_event_type_name: 'issue_generic',
				user: { accountId: '5b10a2844c20165700ede21g', displayName: 'A developer' },
				issue: representation(issue, null)
			});
			const signature = createHmac('sha256', secret).update(body).digest('hex');
			return {
				headers: {
					'content-type': 'application/json; charset=utf-8',
					'x-atlassian-webhook-identifier': String(Date.now()),
					'x-atlassian-webhook-flow': 'Primary',
					'x-hub-signature': `sha256=${signature}`
				},
				body
			};
		},
		async deliverWebhook(url, key, secret) {
			const delivery = fake.webhook(key, secret);
			const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
			await response.text();
			return response.status;
		},
		close() {
			return new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			});
		}
	};
	return fake;
}
