import type { HandoffKind, HandoffStatus, SandboxState, TrackerProvider } from '../handoff.tables.ts';

/*
 * One interface for every developers' tracker, one file per provider (github.ts, gitlab.ts, jira.ts,
 * launchpad.ts, storyboard.ts, specs.ts, sandbox.ts), registered in providers/index.ts. Providers are plain
 * objects of functions: no database access and no Caucus rules in them, only the tracker's formats and API, so
 * each is tested against a local server that speaks the subset of that tracker's API it uses. The sandbox's
 * "API" is the store Caucus lends it (`ProviderEnv.sandbox`, kept by handoff.sandbox.ts): its issues live in
 * Caucus's own database (decision 0020).
 */

/** A tracker as a provider sees it: decrypted credentials included, so it never leaves the server. */
export interface TrackerConnection {
	id: number;
	name: string;
	provider: TrackerProvider;
	/** API root (https://api.github.com, https://gitlab.example/api/v4, https://jira.example, ...) or a git URL. */
	baseUrl: string;
	project: string;
	settings: Record<string, unknown>;
	/** Provider-specific: { token }, { email, apiToken }, { oauthToken, oauthSecret, consumerKey }, ... */
	credentials: Record<string, string> | null;
	webhookSecret: string | null;
}

/** What Caucus knows about a need, gathered for a draft: the provider decides how its tracker shows it. */
export interface NeedEvidence {
	need: {
		id: number;
		title: string;
		/** Markdown, as the filer wrote it. */
		body: string;
		kind: string;
		/** Absolute link back to the need's page. */
		url: string;
		components: string[];
		releases: string[];
		tags: string[];
		group: string | null;
	};
	support: {
		people: number;
		organizations: number;
		deployments: number;
		nodes: number;
		instances: number;
		/** Supporters by segment (operator, vendor, developer, ...), largest first. */
		bySegment: { segment: string; label: string; people: number }[];
	};
	/** The affected deployments named as evidence, largest first (capped by the caller). */
	deployments: { name: string; organization: string | null; nodes: number | null; instances: number | null; releases: string[] }[];
	/** Impact notes supporters attached, capped by the caller. */
	impacts: { member: string; note: string }[];
	/** Summit or meetup sessions the need came from or was discussed in, when the gatherings module exists. */
	sessions: { title: string; url: string }[];
	/** Survey figures about the need, when the surveys module exists. */
	surveyFigures: { label: string; value: string; url: string | null }[];
	/** The priority list the need was ranked in, if any: "Ops priorities 2027.1, v1: rank 2 of 12". */
	priority: { list: string; rank: number; of: number; url: string } | null;
}

/** A draft in the tracker's own form. `fields` holds the tracker's extras (labels, issue type, spec path, ...). */
export interface HandoffDraft {
	kind: HandoffKind;
	title: string;
	/** In the tracker's own markup: Markdown for GitHub and GitLab, Jira wiki markup, plain text, reStructuredText. */
	body: string;
	fields: Record<string, string>;
}

/** An upstream item as the tracker reports it, already mapped onto Caucus's handoff statuses. */
export interface UpstreamItem {
	key: string;
	url: string;
	title: string;
	/** The tracker's own word for the state. */
	state: string;
	status: HandoffStatus;
	/** Release or milestone, when the tracker has one and the item is delivered (or targeted). */
	deliveredIn: string | null;
	updatedAt: Date;
}

/** A sandbox issue as the sandbox's store reports it. */
export interface SandboxIssueRecord {
	trackerId: number;
	number: number;
	title: string;
	state: SandboxState;
	milestone: string | null;
	updatedAt: Date;
}

/** The sandbox tracker's issues, in Caucus's own database: what the sandbox provider calls instead of an HTTP API. */
export interface SandboxStore {
	open(trackerId: number, issue: { kind: HandoffKind; title: string; body: string; labels: string[] }): Promise<SandboxIssueRecord>;
	read(trackerId: number, number: number): Promise<SandboxIssueRecord | null>;
}

/**
 * What Caucus lends a provider beside the tracker's connection. Providers of real trackers ignore it; the
 * sandbox, whose tracker lives inside Caucus, reads and writes its issues through it.
 */
export interface ProviderEnv {
	sandbox: SandboxStore;
}

/** Raised for a refusal by the tracker (bad credentials, missing project, validation): shown to the moderator. */
export class TrackerError extends Error {
	readonly status: number | null;
	/** Worth retrying later (network trouble, 5xx, rate limit), as opposed to a refusal that will not change. */
	readonly retryable: boolean;
	constructor(message: string, options: { status?: number | null; retryable?: boolean; cause?: unknown } = {}) {
		super(message, { cause: options.cause });
		this.name = 'TrackerError';
		this.status = options.status ?? null;
		this.retryable = options.retryable ?? false;
	}
}

export interface WebhookDelivery {
	headers: Record<string, string | undefined>;
	/** The raw body: signatures are computed over the exact bytes. */
	body: string;
}

export interface TrackerProviderImpl {
	provider: TrackerProvider;
	/** "GitHub issues", "Launchpad (bugs and blueprints)", ... */
	label: string;
	kinds: readonly HandoffKind[];
	/**
	 * True for a tracker that lives inside Caucus (the sandbox): it has no base URL, credentials or webhooks,
	 * and nothing it does leaves the site. Pages mark its trackers and items as a sandbox.
	 */
	local?: boolean;
	/** Which credential fields the tracker form asks for, in order, e.g. [{ name: 'token', label: 'Personal access token' }]. */
	credentialFields: readonly { name: string; label: string }[];
	/** Provider settings the tracker form asks for beyond base URL and project (labels, issue type, branch, ...). */
	settingFields: readonly { name: string; label: string; placeholder?: string }[];
	/** A draft in the tracker's format, filled from the evidence; the moderator previews and edits it. */
	draft(tracker: TrackerConnection, evidence: NeedEvidence, kind: HandoffKind): HandoffDraft;
	/** Creates the item upstream; throws TrackerError on refusal. */
	create(tracker: TrackerConnection, draft: HandoffDraft, env?: ProviderEnv): Promise<UpstreamItem>;
	/** The upstream key an item URL of this tracker names, or null if the URL is not one of its items. */
	keyFromUrl(tracker: TrackerConnection, url: string): string | null;
	/** Reads an item's current state (polling). */
	fetch(tracker: TrackerConnection, key: string, env?: ProviderEnv): Promise<UpstreamItem>;
	/**
	 * Verifies a webhook delivery (signature or token) and returns the items it reports changed; null when the
	 * delivery fails verification. Absent for trackers without webhooks: those are polled.
	 */
	webhook?(tracker: TrackerConnection, delivery: WebhookDelivery): Promise<UpstreamItem[] | null>;
}
