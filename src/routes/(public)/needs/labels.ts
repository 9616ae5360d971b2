import type { NeedKind, NeedStatus, SourceChannel } from '#lib/server/modules/needs/index.ts';
import type { BoardSort } from '#lib/server/modules/needs/index.ts';

/** How the needs pages name kinds, states, sources and sorts (client-safe: types only from the module). */
export const KIND_LABELS: Record<NeedKind, string> = {
	bug: 'Bug',
	feature: 'Feature',
	pain_point: 'Pain point',
	documentation: 'Documentation',
	operations: 'Operations'
};
export const KINDS = Object.keys(KIND_LABELS) as NeedKind[];

export const STATUS_LABELS: Record<NeedStatus, string> = {
	new: 'New',
	triaged: 'Triaged',
	accepted: 'Accepted',
	handed_upstream: 'Handed upstream',
	in_progress: 'In progress',
	delivered: 'Delivered',
	declined: 'Declined',
	duplicate: 'Duplicate'
};
export const STATUSES = Object.keys(STATUS_LABELS) as NeedStatus[];

/** The board's status filter: '' is every need but duplicates. */
export const STATUS_FILTER_LABELS: Record<string, string> = {
	'': 'All but duplicates',
	open: 'Open (not yet delivered or declined)',
	closed: 'Delivered or declined',
	...STATUS_LABELS,
	all: 'Everything, duplicates too'
};

export const SOURCE_LABELS: Record<SourceChannel, string> = {
	direct: 'Filed directly',
	mailing_list: 'Mailing list',
	session: 'Meetup or forum session',
	survey: 'Survey answer',
	vendor_relay: 'Relayed by a vendor'
};
export const SOURCES = Object.keys(SOURCE_LABELS) as SourceChannel[];

export const SORT_LABELS: Record<BoardSort, string> = {
	top: 'Top',
	trending: 'Trending',
	new: 'New',
	updated: 'Recently updated',
	relevance: 'Best match'
};

export const SORT_HINTS: Record<BoardSort, string> = {
	top: 'Most supporters first',
	trending: 'Most supports in the last 14 days',
	new: 'Newest first',
	updated: 'Most recently changed first',
	relevance: 'Closest to your search'
};

export const SEGMENT_LABELS: Record<string, string> = {
	operator: 'Operators',
	end_user: 'End users',
	developer: 'Developers',
	security: 'Security',
	vendor: 'Vendors'
};

/** Dates as YYYY-MM-DD: the same on the server and in every browser. */
export const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);

export const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
