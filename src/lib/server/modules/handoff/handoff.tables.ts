import type { Generated, Selectable } from 'kysely';

export const TRACKER_PROVIDERS = ['github', 'gitlab', 'jira', 'launchpad', 'storyboard', 'specs'] as const;
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

export interface HandoffTables {
	tracker: TrackerTable;
	handoff: HandoffTable;
}
