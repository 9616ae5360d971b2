import { createHmac, timingSafeEqual } from 'node:crypto';
import type { HandoffKind, HandoffStatus } from '../handoff.tables.ts';
import { convertMarkdown } from './markup.ts';
import { evidenceSections } from './evidence.ts';
import {
	TrackerError,
	type HandoffDraft,
	type NeedEvidence,
	type TrackerConnection,
	type TrackerProviderImpl,
	type UpstreamItem,
	type WebhookDelivery
} from './provider.ts';
import { apiRoot, failOnError, parseJson, requireCredential, settingString, trackerRequest, type TrackerResponse } from './tracker-http.ts';

/*
 * Jira Cloud and Data Center through REST API v2, which takes and returns the description as wiki markup, the
 * form Jira users read and write (v3 would want Atlassian Document Format JSON).
 *
 *   POST /rest/api/2/issue                       {"fields": {project: {key}, issuetype: {name}, summary, description, labels}}
 *                                                → 201 {"id", "key", "self"}
 *   GET  /rest/api/2/issue/{key}?fields=...      → {"key", "fields": {summary, status: {name, statusCategory: {key}},
 *                                                    resolution: {name} | null, fixVersions: [{name}], updated}}
 *   errors                                       → {"errorMessages": [...], "errors": {field: message}}
 *
 * Authentication is HTTP Basic with the account's e-mail and an API token (Cloud) or a username and personal
 * access token (Data Center). Webhooks registered with a secret are signed: "X-Hub-Signature: sha256=<hex HMAC-SHA256
 * of the raw body>" (Jira Cloud since 2024, Data Center 10: https://developer.atlassian.com/cloud/jira/platform/webhooks/
 * "secure admin webhooks"; https://confluence.atlassian.com/adminjiraserver/managing-webhooks-938846912.html).
 */

const LABEL = 'Jira';
const FIELDS = 'summary,status,resolution,fixVersions,updated';
/** Resolutions that close an issue without doing it; Jira's defaults plus the common custom ones. */
const DECLINING_RESOLUTIONS = new Set([
	"won't do",
	"won't fix",
	'wont fix',
	'duplicate',
	'declined',
	'rejected',
	'cannot reproduce',
	'incomplete',
	'invalid',
	'obsolete'
]);

interface JiraIssue {
	key: string;
	fields: {
		summary?: string;
		status?: { name?: string; statusCategory?: { key?: string } } | null;
		resolution?: { name?: string } | null;
		fixVersions?: { name?: string }[] | null;
		updated?: string;
	};
}

function authHeader(tracker: TrackerConnection): string {
	const email = requireCredential(LABEL, tracker.credentials, 'email');
	const token = requireCredential(LABEL, tracker.credentials, 'apiToken');
	return `Basic ${Buffer.from(`${email}:${token}`).toString('base64')}`;
}

function jiraErrorDetail(response: TrackerResponse): string | null {
	try {
		const body = JSON.parse(response.text) as { errorMessages?: string[]; errors?: Record<string, string> };
		const messages = [...(body.errorMessages ?? []), ...Object.entries(body.errors ?? {}).map(([field, message]) => `${field}: ${message}`)];
		return messages.length ? messages.join('; ') : null;
	} catch {
		return null;
	}
}

/** Jira writes offsets without a colon ("+0000"), which not every date parser accepts. */
export function parseJiraDate(value: string | undefined): Date {
	if (!value) return new Date();
	const date = new Date(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2'));
	return Number.isNaN(date.getTime()) ? new Date() : date;
}

export function jiraStatus(issue: JiraIssue): HandoffStatus {
	const category = issue.fields.status?.statusCategory?.key;
	if (category === 'done') {
		const resolution = issue.fields.resolution?.name?.toLowerCase().replace(/’/g, "'");
		return resolution && DECLINING_RESOLUTIONS.has(resolution) ? 'declined_upstream' : 'delivered';
	}
	if (category === 'indeterminate') return 'in_progress';
	return 'handed_upstream';
}

function browseUrl(tracker: TrackerConnection, key: string): string {
	return `${apiRoot(tracker.baseUrl)}/browse/${encodeURIComponent(key)}`;
}

function toItem(tracker: TrackerConnection, issue: JiraIssue): UpstreamItem {
	const status = jiraStatus(issue);
	const version = issue.fields.fixVersions?.find((v) => v.name)?.name ?? null;
	return {
		key: issue.key,
		url: browseUrl(tracker, issue.key),
		title: issue.fields.summary ?? issue.key,
		state: issue.fields.status?.name ?? 'Unknown',
		status,
		deliveredIn: status === 'declined_upstream' ? null : version,
		updatedAt: parseJiraDate(issue.fields.updated)
	};
}

function issueType(tracker: TrackerConnection, kind: HandoffKind): string {
	return kind === 'bug' ? settingString(tracker.settings, 'bugIssueType', 'Bug') : settingString(tracker.settings, 'featureIssueType', 'Story');
}

function labels(tracker: TrackerConnection): string {
	return settingString(tracker.settings, 'labels', 'caucus');
}

const KEY = /^[A-Z][A-Z0-9_]+-[1-9][0-9]*$/;

export const jira: TrackerProviderImpl = {
	provider: 'jira',
	label: 'Jira',
	kinds: ['bug', 'feature'],
	credentialFields: [
		{ name: 'email', label: 'Account e-mail (Cloud) or username (Data Center)' },
		{ name: 'apiToken', label: 'API token (Cloud) or personal access token (Data Center)' }
	],
	settingFields: [
		{ name: 'bugIssueType', label: 'Issue type for bugs', placeholder: 'Bug' },
		{ name: 'featureIssueType', label: 'Issue type for features', placeholder: 'Story' },
		{ name: 'labels', label: 'Labels, separated by spaces or commas', placeholder: 'caucus operators' }
	],

	draft(tracker: TrackerConnection, evidence: NeedEvidence, kind: HandoffKind): HandoffDraft {
		const parts: string[] = [];
		const body = convertMarkdown(evidence.need.body, 'jira', { headingOffset: 2 });
		parts.push(`h2. The need\n\n${body || '_No description was given._'}`);
		for (const section of evidenceSections(evidence)) {
			parts.push(`h2. ${section.title}\n\n${convertMarkdown(section.markdown, 'jira')}`);
		}
		return {
			kind,
			title: evidence.need.title,
			body: parts.join('\n\n'),
			fields: { issueType: issueType(tracker, kind), labels: labels(tracker) }
		};
	},

	async create(tracker: TrackerConnection, draft: HandoffDraft): Promise<UpstreamItem> {
		const summary = draft.title.replace(/\s+/g, ' ').trim().slice(0, 255);
		if (!summary) throw new TrackerError('A Jira issue needs a summary.');
		const labelList = (draft.fields.labels ?? labels(tracker))
			.split(/[\s,]+/)
			.map((label) => label.trim())
			.filter(Boolean);
		const response = await trackerRequest(LABEL, `${apiRoot(tracker.baseUrl)}/rest/api/2/issue`, {
			method: 'POST',
			headers: { authorization: authHeader(tracker), 'content-type': 'application/json', accept: 'application/json' },
			body: JSON.stringify({
				fields: {
					project: { key: tracker.project },
					issuetype: { name: draft.fields.issueType || issueType(tracker, draft.kind) },
					summary,
					description: draft.body,
					labels: labelList
				}
			})
		});
		failOnError(LABEL, response, jiraErrorDetail(response), `create an issue in project ${tracker.project}`);
		const created = parseJson<{ key: string }>(LABEL, response);
		try {
			return await jira.fetch(tracker, created.key);
		} catch {
			// The issue exists: failing now would make the caller create it twice.
			return {
				key: created.key,
				url: browseUrl(tracker, created.key),
				title: summary,
				state: 'Created',
				status: 'handed_upstream',
				deliveredIn: null,
				updatedAt: new Date()
			};
		}
	},

	keyFromUrl(tracker: TrackerConnection, url: string): string | null {
		let parsed: URL;
		let base: URL;
		try {
			parsed = new URL(url);
			base = new URL(apiRoot(tracker.baseUrl));
		} catch {
			return null;
		}
		if (parsed.origin !== base.origin) return null;
		const prefix = base.pathname.replace(/\/+$/, '');
		if (!parsed.pathname.startsWith(`${prefix}/`)) return null;
		const path = parsed.pathname.slice(prefix.length);
		const candidates = [
			/^\/browse\/([A-Za-z][A-Za-z0-9_]+-\d+)\/?$/.exec(path)?.[1],
			/^\/projects\/[A-Za-z][A-Za-z0-9_]+\/issues\/([A-Za-z][A-Za-z0-9_]+-\d+)\/?$/.exec(path)?.[1],
			// Boards and backlogs open an issue in a side panel: /jira/software/projects/X/boards/1?selectedIssue=X-1
			parsed.searchParams.get('selectedIssue') ?? undefined
		];
		const key = candidates.find((candidate) => candidate !== undefined)?.toUpperCase();
		if (!key || !KEY.test(key)) return null;
		return key.startsWith(`${tracker.project.toUpperCase()}-`) ? key : null;
	},

	async fetch(tracker: TrackerConnection, key: string): Promise<UpstreamItem> {
		const response = await trackerRequest(LABEL, `${apiRoot(tracker.baseUrl)}/rest/api/2/issue/${encodeURIComponent(key)}?fields=${FIELDS}`, {
			headers: { authorization: authHeader(tracker), accept: 'application/json' }
		});
		failOnError(LABEL, response, jiraErrorDetail(response), `read issue ${key}`);
		return toItem(tracker, parseJson<JiraIssue>(LABEL, response));
	},

	async webhook(tracker: TrackerConnection, delivery: WebhookDelivery): Promise<UpstreamItem[] | null> {
		if (!verifyJiraSignature(tracker.webhookSecret, delivery)) return null;
		let payload: { webhookEvent?: string; issue?: JiraIssue };
		try {
			payload = JSON.parse(delivery.body);
		} catch {
			return null;
		}
		if (payload.webhookEvent !== 'jira:issue_updated' && payload.webhookEvent !== 'jira:issue_created') return [];
		const issue = payload.issue;
		if (!issue?.key || !issue.fields) return [];
		if (!issue.key.toUpperCase().startsWith(`${tracker.project.toUpperCase()}-`)) return [];
		return [toItem(tracker, issue)];
	}
};

/** True when the delivery carries "X-Hub-Signature: sha256=<hex>" computed with the tracker's webhook secret. */
export function verifyJiraSignature(secret: string | null, delivery: WebhookDelivery): boolean {
	if (!secret) return false;
	const header = Object.entries(delivery.headers).find(([name]) => name.toLowerCase() === 'x-hub-signature')?.[1];
	const match = header ? /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim()) : null;
	if (!match) return false;
	const expected = createHmac('sha256', secret).update(delivery.body, 'utf8').digest();
	return timingSafeEqual(expected, Buffer.from(match[1], 'hex'));
}
