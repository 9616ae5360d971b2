import { timingSafeEqual } from 'node:crypto';
import type { HandoffKind, HandoffStatus } from '../handoff.tables.ts';
import { jsonRequest, settingString, splitList } from './tracker-http.ts';
import { evidenceMarkdown } from './markdown-draft.ts';
import { TrackerError, type HandoffDraft, type TrackerConnection, type TrackerProviderImpl, type UpstreamItem, type WebhookDelivery } from './provider.ts';

/*
 * GitLab issues, through the REST API v4 (https://docs.gitlab.com/api/issues/): POST /projects/:id/issues,
 * GET /projects/:id/issues/:issue_iid, where :id is the project's numeric id or its URL-encoded path.
 * Webhooks ("Issue Hook") carry the secret token in X-Gitlab-Token; their payload lacks the milestone's
 * title, so a verified delivery is followed by a read of each issue it names.
 *
 * State mapping: GitLab has no close reason, so a closed issue carrying one of the "declined" labels
 * (setting declinedLabels, by default "wontfix, won't do, declined") is declined upstream, and any other
 * closed issue is delivered, in its milestone when it has one. An open issue is in progress when someone
 * is assigned or it carries one of the "in progress" labels (setting inProgressLabels, by default
 * "in progress, doing").
 */

interface GitLabIssue {
	iid: number;
	web_url: string;
	title: string;
	state: 'opened' | 'closed' | string;
	milestone?: { title: string } | null;
	labels?: string[];
	assignees?: unknown[] | null;
	updated_at: string;
}

const KIND_LABELS: Partial<Record<HandoffKind, string>> = { bug: 'bug', feature: 'feature' };

/** The web root of a GitLab API root: https://gitlab.example/api/v4 → https://gitlab.example. */
export function gitlabWebRoot(baseUrl: string): string {
	const url = new URL(baseUrl);
	url.pathname = url.pathname.replace(/\/api\/v4\/?$/, '').replace(/\/$/, '');
	return url.toString().replace(/\/$/, '');
}

function apiRoot(tracker: TrackerConnection): string {
	const root = tracker.baseUrl.replace(/\/$/, '');
	return /\/api\/v4$/.test(root) ? root : `${root}/api/v4`;
}

const projectPath = (tracker: TrackerConnection) => `/projects/${encodeURIComponent(tracker.project)}`;

function headers(tracker: TrackerConnection): Record<string, string> {
	const token = tracker.credentials?.token;
	return { 'user-agent': 'Caucus', ...(token ? { 'private-token': token } : {}) };
}

const lower = (values: string[]) => values.map((v) => v.toLowerCase());
const listOr = (value: unknown, fallback: string[]) => (splitList(value).length ? splitList(value) : fallback);

export function gitlabStatus(issue: Pick<GitLabIssue, 'state' | 'labels' | 'assignees'>, settings: Record<string, unknown>): HandoffStatus {
	const labels = lower(issue.labels ?? []);
	if (issue.state === 'closed') {
		const declined = lower(listOr(settings.declinedLabels, ['wontfix', "won't do", 'declined']));
		return labels.some((l) => declined.includes(l)) ? 'declined_upstream' : 'delivered';
	}
	const progress = lower(listOr(settings.inProgressLabels, ['in progress', 'doing']));
	if (labels.some((l) => progress.includes(l)) || (issue.assignees?.length ?? 0) > 0) return 'in_progress';
	return 'handed_upstream';
}

function toItem(tracker: TrackerConnection, issue: GitLabIssue): UpstreamItem {
	return {
		key: String(issue.iid),
		url: issue.web_url,
		title: issue.title,
		state: issue.state,
		status: gitlabStatus(issue, tracker.settings),
		deliveredIn: issue.milestone?.title ?? null,
		updatedAt: new Date(issue.updated_at)
	};
}

function header(delivery: WebhookDelivery, name: string): string | undefined {
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(delivery.headers)) if (key.toLowerCase() === wanted) return value;
	return undefined;
}

export function verifyGitlabToken(secret: string | null, token: string | undefined): boolean {
	if (!secret || !token) return false;
	const a = Buffer.from(secret);
	const b = Buffer.from(token);
	return a.length === b.length && timingSafeEqual(a, b);
}

export const gitlab: TrackerProviderImpl = {
	provider: 'gitlab',
	label: 'GitLab issues',
	kinds: ['bug', 'feature'],
	credentialFields: [{ name: 'token', label: 'Access token (project or personal, scope api)' }],
	settingFields: [
		{ name: 'labels', label: 'Labels on every issue', placeholder: 'operators, caucus' },
		{ name: 'inProgressLabels', label: 'Labels that mean “in progress”', placeholder: 'in progress, doing' },
		{ name: 'declinedLabels', label: 'Labels that mean “declined” on a closed issue', placeholder: "wontfix, won't do, declined" }
	],

	draft(tracker, evidence, kind): HandoffDraft {
		const labels = [...splitList(settingString(tracker.settings, 'labels')), ...(KIND_LABELS[kind] ? [KIND_LABELS[kind]] : [])];
		return { kind, title: evidence.need.title, body: evidenceMarkdown(evidence), fields: { labels: [...new Set(labels)].join(', ') } };
	},

	async create(tracker, draft) {
		const issue = await jsonRequest<GitLabIssue>(tracker.name, `${apiRoot(tracker)}${projectPath(tracker)}/issues`, {
			method: 'POST',
			headers: headers(tracker),
			what: `create an issue in ${tracker.project}`,
			body: { title: draft.title, description: draft.body, labels: splitList(draft.fields.labels).join(',') }
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
		const web = new URL(gitlabWebRoot(tracker.baseUrl));
		if (parsed.origin !== web.origin) return null;
		const prefix = web.pathname.replace(/\/$/, '');
		if (!parsed.pathname.startsWith(`${prefix}/`)) return null;
		const match = /^\/(.+?)\/(?:-\/)?(?:issues|work_items)\/(\d+)\/?$/.exec(parsed.pathname.slice(prefix.length));
		if (!match || match[1].toLowerCase() !== tracker.project.toLowerCase()) return null;
		return String(Number(match[2]));
	},

	async fetch(tracker, key) {
		if (!/^\d+$/.test(key)) throw new TrackerError(`“${key}” is not a GitLab issue number.`);
		const issue = await jsonRequest<GitLabIssue>(tracker.name, `${apiRoot(tracker)}${projectPath(tracker)}/issues/${key}`, {
			headers: headers(tracker),
			what: `read issue #${key} of ${tracker.project}`
		});
		return toItem(tracker, issue);
	},

	async webhook(tracker, delivery) {
		if (!verifyGitlabToken(tracker.webhookSecret, header(delivery, 'x-gitlab-token'))) return null;
		if (header(delivery, 'x-gitlab-event') !== 'Issue Hook') return [];
		let payload: { object_attributes?: { iid?: number }; project?: { path_with_namespace?: string } };
		try {
			payload = JSON.parse(delivery.body);
		} catch {
			return [];
		}
		const iid = payload.object_attributes?.iid;
		if (typeof iid !== 'number' || payload.project?.path_with_namespace?.toLowerCase() !== tracker.project.toLowerCase()) return [];
		return [await gitlab.fetch(tracker, String(iid))];
	}
};
