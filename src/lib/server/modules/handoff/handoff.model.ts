import type { HandoffKind, HandoffRow, HandoffStatus, TrackerProvider } from './handoff.tables.ts';
import { providerOf } from './handoff.trackers.ts';

/*
 * The handoff module's domain objects: what its commands and queries hand to routes, the API and other
 * modules (decision 0016). Rows stay inside the module; the handoff row has one mapper here. (Trackers are
 * `TrackerView` and `TrackerAdminView`, mapped in handoff.trackers.ts, where their secrets are kept out.)
 */

/** A need handed to a tracker: the upstream item, its kind and its last synced state. */
export interface Handoff {
	id: number;
	needId: number;
	tracker: {
		id: number;
		name: string;
		provider: TrackerProvider;
		providerLabel: string;
		/** A sandbox inside Caucus, not the developers' tracker (decision 0020): pages say so beside the item. */
		sandbox: boolean;
	};
	kind: HandoffKind;
	upstreamKey: string;
	upstreamUrl: string;
	title: string;
	linked: boolean;
	upstreamState: string;
	status: HandoffStatus;
	deliveredIn: string | null;
	createdAt: Date;
	upstreamUpdatedAt: Date;
	syncedAt: Date | null;
	/** The last sync's error. Only for those who moderate the need: queries for others set it to null. */
	syncError: string | null;
}

/** A handoff row with its tracker's name and provider. */
export type HandoffTrackerRow = HandoffRow & { tracker_name: string; provider: TrackerProvider };

export function toHandoff(row: HandoffTrackerRow): Handoff {
	return {
		id: row.id,
		needId: row.need_id,
		tracker: {
			id: row.tracker_id,
			name: row.tracker_name,
			provider: row.provider,
			providerLabel: providerOf(row.provider)?.label ?? row.provider,
			sandbox: !!providerOf(row.provider)?.local
		},
		kind: row.kind,
		upstreamKey: row.upstream_key,
		upstreamUrl: row.upstream_url,
		title: row.title,
		linked: row.linked,
		upstreamState: row.upstream_state,
		status: row.status,
		deliveredIn: row.delivered_in,
		createdAt: row.created_at,
		upstreamUpdatedAt: row.upstream_updated_at,
		syncedAt: row.synced_at,
		syncError: row.sync_error
	};
}
