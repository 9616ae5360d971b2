import type { HandoffKind, HandoffStatus, SandboxState } from '../handoff.tables.ts';
import { evidenceMarkdown } from './markdown-draft.ts';
import { settingString, splitList } from './tracker-http.ts';
import { TrackerError, type ProviderEnv, type SandboxIssueRecord, type TrackerConnection, type TrackerProviderImpl, type UpstreamItem } from './provider.ts';

/*
 * The sandbox: a practice tracker that lives inside Caucus (decision 0020). Its issues are rows in Caucus's
 * own database, reached through the store Caucus lends (`env.sandbox`, handoff.sandbox.ts), never over the
 * network, so it works offline, on the embedded database and in CI. It is what the demo hands needs to, and
 * where an administrator can try a handoff before pointing Caucus at the developers' real tracker.
 *
 * Whoever may hand the need plays the developers on the issue's page (/sandbox/{tracker}/issues/{n}):
 * start work, fix it in a release, or decline it. Like a tracker without webhooks, Caucus learns of that by
 * syncing (every 15 minutes, or "Sync now").
 *
 * State mapping: New is handed upstream, In progress is in progress, Fixed is delivered (in its milestone),
 * Won't fix is declined upstream.
 */

export const SANDBOX_STATE_WORDS: Record<SandboxState, string> = { new: 'New', in_progress: 'In progress', fixed: 'Fixed', wont_fix: "Won't fix" };
const STATUS: Record<SandboxState, HandoffStatus> = { new: 'handed_upstream', in_progress: 'in_progress', fixed: 'delivered', wont_fix: 'declined_upstream' };
const KIND_LABELS: Partial<Record<HandoffKind, string>> = { bug: 'bug', feature: 'enhancement' };

/** The page of a sandbox issue, on this site: a path, since the sandbox lives wherever Caucus is served. */
export const sandboxIssuePath = (trackerId: number, number: number) => `/sandbox/${trackerId}/issues/${number}`;

function store(tracker: TrackerConnection, env: ProviderEnv | undefined) {
	if (!env) throw new TrackerError(`${tracker.name} is a sandbox inside Caucus; it is reached only from Caucus itself.`);
	return env.sandbox;
}

function toItem(issue: SandboxIssueRecord): UpstreamItem {
	return {
		key: String(issue.number),
		url: sandboxIssuePath(issue.trackerId, issue.number),
		title: issue.title,
		state: SANDBOX_STATE_WORDS[issue.state],
		status: STATUS[issue.state],
		deliveredIn: issue.milestone,
		updatedAt: issue.updatedAt
	};
}

export const sandbox: TrackerProviderImpl = {
	provider: 'sandbox',
	label: 'Sandbox (practice tracker inside Caucus)',
	kinds: ['bug', 'feature'],
	local: true,
	credentialFields: [],
	settingFields: [{ name: 'labels', label: 'Labels on every issue', placeholder: 'operators, caucus' }],

	draft(tracker, evidence, kind) {
		const labels = [...splitList(settingString(tracker.settings, 'labels')), ...(KIND_LABELS[kind] ? [KIND_LABELS[kind]] : [])];
		return { kind, title: evidence.need.title, body: evidenceMarkdown(evidence), fields: { labels: [...new Set(labels)].join(', ') } };
	},

	async create(tracker, draft, env) {
		const issue = await store(tracker, env).open(tracker.id, {
			kind: draft.kind,
			title: draft.title,
			body: draft.body,
			labels: splitList(draft.fields.labels).slice(0, 20)
		});
		return toItem(issue);
	},

	keyFromUrl(tracker, url) {
		let parsed: URL;
		try {
			parsed = new URL(url);
		} catch {
			return null;
		}
		const match = /^\/sandbox\/(\d+)\/issues\/(\d+)\/?$/.exec(parsed.pathname);
		if (!match || Number(match[1]) !== tracker.id) return null;
		return String(Number(match[2]));
	},

	async fetch(tracker, key, env) {
		if (!/^\d{1,9}$/.test(key)) throw new TrackerError(`“${key}” is not a sandbox issue number.`);
		const issue = await store(tracker, env).read(tracker.id, Number(key));
		if (!issue) throw new TrackerError(`${tracker.name} has no issue #${key}.`, { status: 404 });
		return toItem(issue);
	}
};
