import type { BoardRow } from '#lib/server/modules/needs/index.ts';
import { day } from './labels.ts';

/**
 * What a row of NeedList shows, and nothing more. Pages map the board's rows to this in their `load`, so
 * the data SvelteKit serialises on every request holds no ids, visibilities or timestamps nobody sees.
 */
export interface NeedListItem extends Pick<
	BoardRow,
	| 'id'
	| 'title'
	| 'kind'
	| 'status'
	| 'sourceChannel'
	| 'unpublished'
	| 'hidden'
	| 'supportCount'
	| 'organizationCount'
	| 'deploymentCount'
	| 'commentCount'
	| 'tags'
	| 'segmentCount'
	| 'recentSupportCount'
> {
	group: { slug: string; name: string } | null;
	/** The day it was filed (YYYY-MM-DD). */
	filed: string;
	/** The day it last changed, when it changed after it was filed; otherwise null. */
	updated: string | null;
}

export function toNeedListItem(row: BoardRow): NeedListItem {
	return {
		id: row.id,
		title: row.title,
		kind: row.kind,
		status: row.status,
		sourceChannel: row.sourceChannel,
		unpublished: row.unpublished,
		hidden: row.hidden,
		supportCount: row.supportCount,
		organizationCount: row.organizationCount,
		deploymentCount: row.deploymentCount,
		commentCount: row.commentCount,
		tags: row.tags,
		segmentCount: row.segmentCount,
		recentSupportCount: row.recentSupportCount,
		group: row.group && { slug: row.group.slug, name: row.group.name },
		filed: day(row.createdAt),
		updated: row.updatedAt.getTime() !== row.createdAt.getTime() ? day(row.updatedAt) : null
	};
}
