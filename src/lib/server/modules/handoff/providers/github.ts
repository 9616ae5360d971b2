import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HandoffKind, HandoffStatus } from '../handoff.tables.ts';
import { jsonRequest, settingString, splitList } from './tracker-http.ts';
import { evidenceMarkdown } from './markdown-draft.ts';
import { TrackerError, type HandoffDraft, type TrackerConnection, type TrackerProviderImpl, type UpstreamItem, type WebhookDelivery } from './provider.ts';

/*
 * GitHub issues, through the REST API v3 (https://docs.github.com/en/rest/issues/issues):
 * POST /repos/{owner}/{repo}/issues, GET /repos/{owner}/{repo}/issues/{number}; webhooks of the `issues`
 * event signed with X-Hub-Signature-256 (HMAC-SHA256 of the raw body with the webhook secret).
 *
 * State mapping: closed as not planned (or as a duplicate) is declined upstream; any other close is
 * delivered, in the issue's milestone when it has one. An open issue is in progress when someone is
 * assigned or it carries one of the tracker's "in progress" labels (setting inProgressLabels, by
 * default "in progress"); otherwise it is handed upstream and waiting.
 */

interface GitHubIssue {
	number: number;
	html_url: string;
	title: string;
	state: 'open' | 'closed';
	state_reason?: string | null;
	milestone?: { title: string } | null;
	labels?: (string | { name?: string })[];
	assignees?: unknown[] | null;
	assignee?: unknown;
	updated_at: string;
	pull_request?: unknown;
}

const KIND_LABELS: Partial<Record<HandoffKind, string>> = { bug: 'bug', feature: 'enhancement' };

/** The web root of a GitHub API root: api.github.com → github.com; GitHub Enterprise's /api/v3 → the host. */
export function githubWebRoot(baseUrl: string): string {
	const url = new URL(baseUrl);
	if (url.hostname.startsWith('api.')) url.hostname = url.hostname.slice(4);
	url.pathname = url.pathname.replace(/\/api\/v3\/?$/, '').replace(/\/$/, '');
	return url.toString().replace(/\/$/, '');
}

const apiRoot = (tracker: TrackerConnection) => tracker.baseUrl.replace(/\/$/, '');

function headers(tracker: TrackerConnection): Record<string, string> {
	const token = tracker.credentials?.token;
	return {
		accept: 'application/vnd.github+json',
		'x-github-api-version': '2022-11-28',
		'user-agent': 'Caucus',
		...(token ? { authorization: `Bearer ${token}` } : {})
	};
}

function repoPath(tracker: TrackerConnection): string {
	const [owner, repo, ...rest] = tracker.project.split('/');
	if (!owner || !repo || rest.length) throw new TrackerError(`The project of ${tracker.name} must be owner/repository, not “${tracker.project}”.`);
	return `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}`;
}

const labelNames = (issue: GitHubIssue) => (issue.labels ?? []).map((l) => (typeof l === 'string' ? l : (l.name ?? ''))).filter(Boolean);

export function githubStatus(
	issue: Pick<GitHubIssue, 'state' | 'state_reason' | 'labels' | 'assignees' | 'assignee'>,
	settings: Record<string, unknown>
): HandoffStatus {
	if (issue.state === 'closed') return issue.state_reason === 'not_planned' || issue.state_reason === 'duplicate' ? 'declined_upstream' : 'delivered';
	const progressLabels = (splitList(settings.inProgressLabels).length ? splitList(settings.inProgressLabels) : ['in progress']).map((l) => l.toLowerCase());
	const labels = labelNames(issue as GitHubIssue).map((l) => l.toLowerCase());
	if (labels.some((l) => progressLabels.includes(l))) return 'in_progress';
	if ((issue.assignees?.length ?? 0) > 0 || issue.assignee) return 'in_progress';
	return 'handed_upstream';
}

function toItem(tracker: TrackerConnection, issue: GitHubIssue): UpstreamItem {
	return {
		key: String(issue.number),
		url: issue.html_url,
		title: issue.title,
		state: issue.state === 'closed' && issue.state_reason ? `closed (${issue.state_reason.replace(/_/g, ' ')})` : issue.state,
		status: githubStatus(issue, tracker.settings),
		deliveredIn: issue.milestone?.title ?? null,
		updatedAt: new Date(issue.updated_at)
	};
}

function header(delivery: WebhookDelivery, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(delivery.headers)) if (key.toLowerCase() === wanted) return value;
	return undefined;
}

/** X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of the exact body under the webhook secret. */
export function githubSignature(secret: string, body: string): string {
	return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export function verifyGithubSignature(secret: string | null, body: string, signature: string | undefined): boolean {
	if (!secret || !signature) return false;
	const expected = Buffer.from(githubSignature(secret, body));
	const given = Buffer.from(signature);
	return expected.length === given.length && timingSafeEqual(expected, given);
}

export const github: TrackerProviderImpl = {
	provider: 'github',
	label: 'GitHub issues',
	kinds: ['bug', 'feature'],
	credentialFields: [{ name: 'token', label: 'Access token (fine-grained, with Issues: read and write)' }],
	settingFields: [
		{ name: 'labels', label: 'Labels on every issue', placeholder: 'operators, caucus' },
		{ name: 'inProgressLabels', label: 'Labels that mean “in progress”', placeholder: 'in progress' }
	],

	draft(tracker, evidence, kind): HandoffDraft {
		const labels = [...splitList(settingString(tracker.settings, 'labels')), ...(KIND_LABELS[kind] ? [KIND_LABELS[kind]] : [])];
		return { kind, title: evidence.need.title, body: evidenceMarkdown(evidence), fields: { labels: [...new Set(labels)].join(', ') } };
	},

	async create(tracker, draft) {
		const issue = await jsonRequest<GitHubIssue>(tracker.name, `${apiRoot(tracker)}${repoPath(tracker)}/issues`, {
			method: 'POST',
			headers: headers(tracker),
			what: `create an issue in ${tracker.project}`,
			body: { title: draft.title, body: draft.body, labels: splitList(draft.fields.labels) }
		});
		return toItem(tracker, issue);
	},

	keyFromUrl(tracker, url) {
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			return null;
		}
		const web = new URL(githubWebRoot(tracker.baseUrl));
		if (parsed.origin !== web.origin) return null;
		const prefix = web.pathname.replace(/\/$/, '');
		const match = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/([^/]+)/([^/]+)/issues/(\\d+)/?$`).exec(parsed.pathname);
		if (!match) return null;
		if (`${match[1]}/${match[2]}`.toLowerCase() !== tracker.project.toLowerCase()) return null;
		return String(Number(match[3]));
	},

	async fetch(tracker, key) {
		if (!/^\d+$/.test(key)) throw new TrackerError(`“${key}” is not a GitHub issue number.`);
		const issue = await jsonRequest<GitHubIssue>(tracker.name, `${apiRoot(tracker)}${repoPath(tracker)}/issues/${key}`, {
			headers: headers(tracker),
			what: `read issue #${key} of ${tracker.project}`
		});
		if (issue.pull_request) throw new TrackerError(`#${key} in ${tracker.project} is a pull request, not an issue.`);
		return toItem(tracker, issue);
	},

	async webhook(tracker, delivery) {
		if (!verifyGithubSignature(tracker.webhookSecret, delivery.body, header(delivery, 'x-hub-signature-256'))) return null;
		const event = header(delivery, 'x-github-event');
		if (event !== 'issues') return [];
		let payload: { issue?: GitHubIssue; repository?: { full_name?: string } };
		try {
			payload = JSON.parse(delivery.body);
		} catch {
			return [];
		}
		if (!payload.issue || payload.repository?.full_name?.toLowerCase() !== tracker.project.toLowerCase()) return [];
		return [toItem(tracker, payload.issue)];
	}
};
