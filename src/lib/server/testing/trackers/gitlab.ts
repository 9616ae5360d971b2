import { startJsonServer, ticker } from './shared.ts';

/*
 * A fake GitLab speaking the part of the REST API v4 the provider uses: create and read issues of one
 * project addressed by its URL-encoded path (https://docs.gitlab.com/api/issues/), PRIVATE-TOKEN checked,
 * and "Issue Hook" webhooks carrying X-Gitlab-Token.
 */

export interface FakeGitLabIssue {
	iid: number;
	title: string;
	description: string;
	state: 'opened' | 'closed';
	labels: string[];
	assignees: string[];
	milestone: string | null;
	updated_at: string;
}

export interface FakeGitLab {
	/** The instance root; the API is under /api/v4. */
	url: string;
	apiUrl: string;
	token: string;
	project: string;
	issues: Map<number, FakeGitLabIssue>;
	setState(iid: number, state: 'opened' | 'closed', options?: { milestone?: string | null; labels?: string[]; assignees?: string[] }): FakeGitLabIssue;
	sendWebhook(target: string, secret: string, iid: number): Promise<Response>;
	issueUrl(iid: number): string;
	close(): Promise<void>;
}

export async function startFakeGitLab(options: { token?: string; project?: string } = {}): Promise<FakeGitLab> {
	const token = options.token ?? 'glpat-fake';
	const project = options.project ?? 'ceph/ceph';
	const issues = new Map<number, FakeGitLabIssue>();
	const now = ticker();
	let base = '';
	const json = (issue: FakeGitLabIssue) => ({
		id: 1000 + issue.iid,
		iid: issue.iid,
		project_id: 7,
		title: issue.title,
		description: issue.description,
		state: issue.state,
		labels: issue.labels,
		assignees: issue.assignees.map((username) => ({ username })),
		milestone: issue.milestone ? { title: issue.milestone } : null,
		web_url: `${base}/${project}/-/issues/${issue.iid}`,
		updated_at: issue.updated_at
	});
	const server = await startJsonServer(({ method, path, headers, body }) => {
		if (headers['private-token'] !== token) return { status: 401, body: { message: '401 Unauthorized' } };
		const prefix = `/api/v4/projects/${encodeURIComponent(project)}/issues`;
		if (method === 'POST' && path === prefix) {
			const input = body as { title?: unknown; description?: unknown; labels?: unknown };
			if (typeof input?.title !== 'string' || !input.title.trim()) return { status: 400, body: { error: 'title is missing' } };
			const issue: FakeGitLabIssue = {
				iid: issues.size + 1,
				title: input.title,
				description: typeof input.description === 'string' ? input.description : '',
				state: 'opened',
				labels: typeof input.labels === 'string' && input.labels ? input.labels.split(',') : [],
				assignees: [],
				milestone: null,
				updated_at: now()
			};
			issues.set(issue.iid, issue);
			return { status: 201, body: json(issue) };
		}
		const match = new RegExp(`^${prefix.replace(/%/g, '%')}/(\\d+)$`).exec(path);
		if (method === 'GET' && match) {
			const issue = issues.get(Number(match[1]));
			return issue ? { status: 200, body: json(issue) } : { status: 404, body: { message: '404 Not found' } };
		}
		return { status: 404, body: { message: '404 Not found' } };
	});
	base = server.url;
	return {
		url: server.url,
		apiUrl: `${server.url}/api/v4`,
		token,
		project,
		issues,
		issueUrl: (iid) => `${base}/${project}/-/issues/${iid}`,
		setState(iid, state, opts = {}) {
			const issue = issues.get(iid);
			if (!issue) throw new Error(`No issue #${iid}`);
			issue.state = state;
			if (opts.milestone !== undefined) issue.milestone = opts.milestone;
			if (opts.labels) issue.labels = opts.labels;
			if (opts.assignees) issue.assignees = opts.assignees;
			issue.updated_at = now();
			return issue;
		},
		async sendWebhook(target, secret, iid) {
			const issue = issues.get(iid)!;
			const payload = JSON.stringify({
				object_kind: 'issue',
				event_type: 'issue',
				project: { path_with_namespace: project, web_url: `${base}/${project}` },
				object_attributes: {
					iid: issue.iid,
					title: issue.title,
					state: issue.state,
					url: `${base}/${project}/-/issues/${issue.iid}`,
					updated_at: issue.updated_at,
					action: issue.state === 'closed' ? 'close' : 'update'
				},
				labels: issue.labels.map((title) => ({ title }))
			});
			return fetch(target, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Issue Hook', 'x-gitlab-token': secret },
				body: payload
			});
		},
		close: server.close
	};
}
