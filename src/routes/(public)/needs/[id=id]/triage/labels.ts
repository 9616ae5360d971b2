import type { NeedKind, NeedStatus } from '#lib/server/modules/needs/index.ts';

/** How the triage page names statuses and kinds (client-safe: types only from the module). */
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

export const KIND_LABELS: Record<NeedKind, string> = {
	bug: 'Bug',
	feature: 'Feature',
	pain_point: 'Pain point',
	documentation: 'Documentation',
	operations: 'Operations'
};
export const KINDS = Object.keys(KIND_LABELS) as NeedKind[];

/** Times as YYYY-MM-DD HH:MM UTC: the same on the server and in every browser. */
export const minute = (d: Date | string) => `${new Date(d).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
