import type { Ctx } from '#lib/server/platform/context.ts';
import { loadNeedAccess } from '#lib/server/modules/needs/index.ts';
import { mayHandOff } from './handoff.policy.ts';
import type { HandoffKind, HandoffStatus, TrackerProvider } from './handoff.tables.ts';
import { providerOf } from './handoff.trackers.ts';

export interface HandoffView {
	id: number;
	needId: number;
	tracker: { id: number; name: string; provider: TrackerProvider; providerLabel: string };
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
	/** Only for those who moderate the need; null for everyone else. */
	syncError: string | null;
}

export interface NeedHandoffs {
	handoffs: HandoffView[];
	/** May the reader hand this need upstream, link an item or sync now? */
	mayHandOff: boolean;
}

/** A need's handoffs, for whoever may read the need (`not_found` otherwise, like the need itself). */
export async function listHandoffsOfNeed(ctx: Ctx, needId: number): Promise<NeedHandoffs> {
	const access = await loadNeedAccess(ctx, needId);
	const moderator = mayHandOff(ctx.actor, access.group, access.membership);
	const rows = await ctx.db
		.selectFrom('handoff')
		.innerJoin('tracker', 'tracker.id', 'handoff.tracker_id')
		.selectAll('handoff')
		.select(['tracker.name as tracker_name', 'tracker.provider'])
		.where('handoff.need_id', '=', needId)
		.orderBy('handoff.created_at')
		.orderBy('handoff.id')
		.execute();
	return {
		mayHandOff: moderator,
		handoffs: rows.map((r) => ({
			id: Number(r.id),
			needId: Number(r.need_id),
			tracker: { id: Number(r.tracker_id), name: r.tracker_name, provider: r.provider, providerLabel: providerOf(r.provider)?.label ?? r.provider },
			kind: r.kind,
			upstreamKey: r.upstream_key,
			upstreamUrl: r.upstream_url,
			title: r.title,
			linked: r.linked,
			upstreamState: r.upstream_state,
			status: r.status,
			deliveredIn: r.delivered_in,
			createdAt: r.created_at,
			upstreamUpdatedAt: r.upstream_updated_at,
			syncedAt: r.synced_at,
			syncError: moderator ? r.sync_error : null
		}))
	};
}
