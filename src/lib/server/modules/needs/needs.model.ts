import type { NeedKind, NeedMergeRow, NeedRow, NeedStatus, SourceChannel } from './needs.tables.ts';

/*
 * The needs module's domain objects: what its commands and queries hand to routes, the API and other
 * modules (decision 0016). Rows stay inside the module; each row type has one mapper here, so a column
 * rename touches this file and the module's queries, never a door.
 */

/** A need as a command leaves it: its words, facets, state and the counts kept exact with each change. */
export interface Need {
	id: number;
	title: string;
	/** Markdown. */
	body: string;
	kind: NeedKind;
	status: NeedStatus;
	/** Why the need is in its status: every status change gives one, shown on the page. */
	statusReason: string | null;
	groupId: number | null;
	/** Null while a closed group's need is seen by its members only. */
	publishedAt: Date | null;
	authorId: number | null;
	sourceChannel: SourceChannel;
	sourceUrl: string | null;
	sourceNote: string | null;
	tags: string[];
	releases: string[];
	/** Set while the need is merged into another. */
	duplicateOfId: number | null;
	/** The need this one was split off. */
	splitFromId: number | null;
	hiddenAt: Date | null;
	hiddenReason: string | null;
	hiddenBy: number | null;
	lockedAt: Date | null;
	lockedBy: number | null;
	/** Distinct people supporting the need or a need merged into it. */
	supportCount: number;
	organizationCount: number;
	deploymentCount: number;
	deploymentNodes: number;
	deploymentInstances: number;
	commentCount: number;
	/** People who supported the need's family in the last 14 days, as of the trending job's last run. */
	recentSupportCount: number;
	createdAt: Date;
	updatedAt: Date;
}

export function toNeed(row: NeedRow): Need {
	return {
		id: row.id,
		title: row.title,
		body: row.body,
		kind: row.kind,
		status: row.status,
		statusReason: row.status_reason,
		groupId: row.group_id,
		publishedAt: row.published_at,
		authorId: row.author_id,
		sourceChannel: row.source_channel,
		sourceUrl: row.source_url,
		sourceNote: row.source_note,
		tags: row.tags,
		releases: row.releases,
		duplicateOfId: row.duplicate_of_id,
		splitFromId: row.split_from_id,
		hiddenAt: row.hidden_at,
		hiddenReason: row.hidden_reason,
		hiddenBy: row.hidden_by,
		lockedAt: row.locked_at,
		lockedBy: row.locked_by,
		supportCount: row.support_count,
		organizationCount: row.organization_count,
		deploymentCount: row.deployment_count,
		deploymentNodes: row.deployment_nodes,
		deploymentInstances: row.deployment_instances,
		commentCount: row.comment_count,
		recentSupportCount: row.recent_support_count,
		createdAt: row.created_at,
		updatedAt: row.updated_at
	};
}

/** A merge of one need (the source) into the need it duplicates (the target), as a merge or its undo leaves it. */
export interface NeedMerge {
	id: number;
	sourceId: number;
	targetId: number;
	reason: string;
	actorId: number | null;
	mergedAt: Date;
	/** The source's status and reason before the merge; an undo restores them. */
	previousStatus: NeedStatus;
	previousReason: string | null;
	/** Needs that had been merged into the source and were re-pointed to the target; an undo points them back. */
	carriedIds: number[];
	undoneAt: Date | null;
	undoneBy: number | null;
}

export function toNeedMerge(row: NeedMergeRow): NeedMerge {
	return {
		id: row.id,
		sourceId: row.source_id,
		targetId: row.target_id,
		reason: row.reason,
		actorId: row.actor_id,
		mergedAt: row.merged_at,
		previousStatus: row.source_previous_status,
		previousReason: row.source_previous_reason,
		// The drivers parse a scalar int8 into a number but may hand an int8[]'s items over as text.
		carriedIds: (row.carried_ids ?? []).map(Number),
		undoneAt: row.undone_at,
		undoneBy: row.undone_by
	};
}
