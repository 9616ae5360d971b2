import { randomUUID } from 'node:crypto';
import { githubSignature } from '#lib/server/modules/handoff/providers/github.ts';
import { startJsonServer, ticker } from './shared.ts';

/*
 * A fake GitHub speaking the part of the REST API v3 the provider uses: create and read issues of one
 * repository (https://docs.github.com/en/rest/issues/issues), bearer-token checked, and `issues` webhooks
 * signed with X-Hub-Signature-256 like GitHub signs them.
 */

export interface FakeGitHubIssue {
	number: number;
	title: string;
	body: string;
	state: 'open' | 'closed';
	state_reason: 'completed' | 'not_planned' | 'reopened' | null;
	labels: string[];
	assignees: string[];
	milestone: string | null;
	updated_at: string;
}

export type FakeGitHubState = 'open' | 'in_progress' | 'closed' | 'completed' | 'not_planned';

export interface FakeGitHub {
	/** The API root to configure as the tracker's base URL; issue pages live under it too. */
	url: string;
	token: string;
	repo: string;
	issues: Map<number, FakeGitHubIssue>;
	/** How many API requests were answered. */
	requests(): number;
	/** Moves an issue as a developer would: reopen, assign (in progress), close as completed (with a milestone) or as not planned. */
	setState(number: number, state: FakeGitHubState, milestone?: string | null): FakeGitHubIssue;
	/** Posts an `issues` webhook about the issue to `target`, signed with `secret` (or with `signature` to test forgeries). */
	sendWebhook(target: string, secret: string, number: number, options?: { action?: string; signature?: string }): Promise<Response>;
	issueUrl(number: number): string;
	/** Runs while an issue is being created, before GitHub answers: lets a test change Caucus meanwhile. */
	beforeCreate: (() => Promise<void> | void) | null;
	close(): Promise<void>;
}

export async function startFakeGitHub(options: { token?: string; repo?: string } = {}): Promise<FakeGitHub> {
	const token = options.token ?? 'ghp_fake_token';
	const repo = options.repo ?? 'openstack/nova';
	const issues = new Map<number, FakeGitHubIssue>();
	const now = ticker();
	let count = 0;
	let base = '';

	const json = (issue: FakeGitHubIssue) => ({
		number: issue.number,
		html_url: `${base}/${repo}/issues/${issue.number}`,
		url: `${base}/repos/${repo}/issues/${issue.number}`,
		title: issue.title,
		body: issue.body,
		state: issue.state,
		state_reason: issue.state_reason,
		labels: issue.labels.map((name) => ({ name })),
		assignees: issue.assignees.map((login) => ({ login })),
		assignee: issue.assignees[0] ? { login: issue.assignees[0] } : null,
		milestone: issue.milestone ? { title: issue.milestone } : null,
		updated_at: issue.updated_at
	});

	const server = await startJsonServer(async ({ method, path, headers, body }) => {
		count++;
		if (headers.authorization !== `Bearer ${token}`) return { status: 401, body: { message: 'Bad credentials' } };
		const prefix = `/repos/${repo}/issues`;
		if (method === 'POST' && path === prefix) {
			const input = body as { title?: unknown; body?: unknown; labels?: unknown };
			if (typeof input?.title !== 'string' || !input.title.trim())
				return { status: 422, body: { message: 'Validation Failed', errors: [{ field: 'title', code: 'missing_field' }] } };
			await fake.beforeCreate?.();
			const issue: FakeGitHubIssue = {
				number: issues.size + 1,
				title: input.title,
				body: typeof input.body === 'string' ? input.body : '',
				state: 'open',
				state_reason: null,
				labels: Array.isArray(input.labels) ? input.labels.map(String) : [],
				assignees: [],
				milestone: null,
				updated_at: now()
			};
			issues.set(issue.number, issue);
			return { status: 201, body: json(issue) };
		}
		const match = new RegExp(`^${prefix}/(\\d+)$`).exec(path);
		if (method === 'GET' && match) {
			const issue = issues.get(Number(match[1]));
			return issue ? { status: 200, body: json(issue) } : { status: 404, body: { message: 'Not Found' } };
		}
		return { status: 404, body: { message: 'Not Found' } };
	});
	base = server.url;

	const fake: FakeGitHub = {
		url: server.url,
		token,
		repo,
		issues,
		requests: () => count,
		issueUrl: (number) => `${base}/${repo}/issues/${number}`,
		beforeCreate: null,
		setState(number, state, milestone) {
			const issue = issues.get(number);
			if (!issue) throw new Error(`No issue #${number}`);
			issue.state = state === 'open' || state === 'in_progress' ? 'open' : 'closed';
			issue.state_reason = state === 'not_planned' ? 'not_planned' : issue.state === 'closed' ? 'completed' : null;
			issue.assignees = state === 'in_progress' ? ['dev-lee'] : issue.state === 'open' ? [] : issue.assignees;
			if (milestone !== undefined) issue.milestone = milestone;
			issue.updated_at = now();
			return issue;
		},
		async sendWebhook(target, secret, number, opts = {}) {
			const issue = issues.get(number);
			if (!issue) throw new Error(`No issue #${number}`);
			const payload = JSON.stringify({
				action: opts.action ?? (issue.state === 'closed' ? 'closed' : 'edited'),
				issue: json(issue),
				repository: { full_name: repo },
				sender: { login: 'dev-lee' }
			});
			return fetch(target, {
				method: 'POST',
				headers: {
					'content-type': 'application/json',
					'x-github-event': 'issues',
					'x-github-delivery': randomUUID(),
					'x-hub-signature-256': opts.signature ?? githubSignature(secret, payload)
				},
				body: payload
			});
		},
		close: server.close
	};
	return fake;
}
