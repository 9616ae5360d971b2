import type { Generated, Selectable } from 'kysely';

export const TRACKER_PROVIDERS = ['github', 'gitlab', 'jira', 'launchpad', 'storyboard', 'specs', 'sandbox'] as const;
export type TrackerProvider = (typeof TRACKER_PROVIDERS)[number];
export const HANDOFF_KINDS = ['bug', 'feature', 'blueprint', 'spec'] as const;
export type HandoffKind = (typeof HANDOFF_KINDS)[number];
/** A handoff's state as Caucus reads it, whatever the tracker calls it. */
export const HANDOFF_STATUSES = ['handed_upstream', 'in_progress', 'delivered', 'declined_upstream'] as const;
export type HandoffStatus = (typeof HANDOFF_STATUSES)[number];

/** A developers' system Caucus hands needs to: one GitHub repository, GitLab project, Jira project, ... */
export interface TrackerTable {
	id: Generated<number>;
	name: string;
	provider: TrackerProvider;
	/** The tracker's API root, e.g. https://api.github.com, or the git URL of a specs repository. */
	base_url: string;
	/** The provider's project key: owner/repo, a GitLab project path, a Jira project key, a Launchpad project, ... */
	project: string;
	settings: Generated<Record<string, unknown>>;
	/** Encrypted with the site key; never sent back to a page or the API. */
	credentials_encrypted: string | null;
	webhook_secret_encrypted: string | null;
	created_at: Date;
	updated_at: Date;
	disabled_at: Date | null;
}
export type TrackerRow = Selectable<TrackerTable>;

/** A need handed to a tracker: the upstream item, its kind and its last synced state. */
export interface HandoffTable {
	id: Generated<number>;
	need_id: number;
	tracker_id: number;
	kind: HandoffKind;
	/** The item's identity in the tracker: an issue number, a Jira key, a blueprint name, a spec path. */
	upstream_key: string;
	upstream_url: string;
	title: string;
	/** True when an existing upstream item was linked rather than created by Caucus. */
	linked: Generated<boolean>;
	/** The tracker's own word for the state ("opened", "Fix Released", "Done", ...). */
	upstream_state: Generated<string>;
	status: Generated<HandoffStatus>;
	/** The release or milestone the tracker says it was delivered in, when it has one. */
	delivered_in: string | null;
	created_by: number | null;
	created_at: Date;
	/** When the upstream item last changed as far as Caucus knows: stalled handoffs are judged by it. */
	upstream_updated_at: Date;
	synced_at: Date | null;
	sync_error: string | null;
}
export type HandoffRow = Selectable<HandoffTable>;

/** A sandbox issue's state, in the sandbox's own words (providers/sandbox.ts maps them onto handoff statuses). */
export const SANDBOX_STATES = ['new', 'in_progress', 'fixed', 'wont_fix'] as const;
export type SandboxState = (typeof SANDBOX_STATES)[number];

/**
 * An issue in a sandbox tracker: the practice tracker that lives inside Caucus (decision 0020). Only the
 * sandbox provider creates them, through handoff.sandbox.ts; whoever plays the developers moves them.
 */
export interface SandboxIssueTable {
	id: Generated<number>;
	tracker_id: number;
	/** The issue's number within its sandbox tracker: 1, 2, 3, ... */
	number: number;
	kind: HandoffKind;
	title: string;
	/** Markdown, as the draft was sent. */
	body: string;
	labels: Generated<string[]>;
	state: Generated<SandboxState>;
	/** The release it is targeted at or was fixed in. */
	milestone: string | null;
	/** Who handed it up (a draft's creator), when known. */
	created_by: number | null;
	created_at: Date;
	updated_at: Date;
}
export type SandboxIssueRow = Selectable<SandboxIssueTable>;

/** What happened to a sandbox issue after it was opened: each move of whoever plays the developers. */
export interface SandboxIssueEventTable {
	id: Generated<number>;
	issue_id: number;
	actor_id: number | null;
	state: SandboxState;
	milestone: string | null;
	note: string;
	at: Date;
}

export interface HandoffTables {
	tracker: TrackerTable;
	handoff: HandoffTable;
	sandbox_issue: SandboxIssueTable;
	sandbox_issue_event: SandboxIssueEventTable;
}
