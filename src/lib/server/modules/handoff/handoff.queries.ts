import { sql, type RawBuilder } from 'kysely';
import type { Ctx } from '#lib/server/platform/context.ts';
import { mayReadNeed, needFacts, resolveNeedAccess, loadNeedAccess, type NeedOrAccess } from '#lib/server/modules/needs/index.ts';
import { forbidden } from '#lib/server/platform/errors.ts';
import { isHandable, mayHandOff } from './handoff.policy.ts';
import { toHandoff, type Handoff } from './handoff.model.ts';
import type { HandoffKind, TrackerProvider } from './handoff.tables.ts';
import { providerOf } from './handoff.trackers.ts';

export interface NeedHandoffs {
	handoffs: Handoff[];
	/** May the reader hand this need upstream, link an item or sync now? */
	mayHandOff: boolean;
	/** What the reader may do here now, for the page: hand the need (further) upstream, sync its handoffs. */
	abilities: { handOff: boolean; sync: boolean };
}

/**
 * A need's handoffs, for whoever may read the need (`not_found` otherwise, like the need itself). Takes the
 * need's id, or its access already loaded by the page.
 */
export async function listHandoffsOfNeed(ctx: Ctx, ref: NeedOrAccess): Promise<NeedHandoffs> {
	const access = await resolveNeedAccess(ctx, ref);
	const needId = access.need.id;
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
		abilities: { handOff: moderator && isHandable(access.need), sync: moderator && rows.length > 0 },
		handoffs: rows.map((r) => ({ ...toHandoff(r), syncError: moderator ? r.sync_error : null }))
	};
}

export interface HandoffPage {
	need: { id: number; title: string; status: string; group: { slug: string; name: string } | null };
	/** The kind a draft starts with: bug for a bug, feature for everything else. */
	suggestedKind: HandoffKind;
	/** Enabled trackers this need is not yet handed to. */
	trackers: { id: number; name: string; provider: TrackerProvider; providerLabel: string; project: string; kinds: readonly HandoffKind[]; sandbox: boolean }[];
	handoffs: Handoff[];
	handable: boolean;
	/**
	 * Whether the developers who follow the draft's link back can open the need: false for a closed group's
	 * unpublished need, which answers them 404 until the group publishes it (issue 11).
	 */
	linkBackWorks: boolean;
}

/** What the hand-upstream page shows; `forbidden` for anyone but the need's moderators. */
export async function getHandoffPage(ctx: Ctx, needId: number): Promise<HandoffPage> {
	const access = await loadNeedAccess(ctx, needId);
	if (!mayHandOff(ctx.actor, access.group, access.membership)) throw forbidden('Only the group’s chairs and moderators hand its needs upstream.');
	const { handoffs } = await listHandoffsOfNeed(ctx, access);
	const used = new Set(handoffs.map((h) => h.tracker.id));
	const rows = await ctx.db.selectFrom('tracker').selectAll().where('disabled_at', 'is', null).orderBy('name').execute();
	const trackers = rows
		.filter((r) => providerOf(r.provider) && !used.has(Number(r.id)))
		.map((r) => ({
			id: Number(r.id),
			name: r.name,
			provider: r.provider,
			providerLabel: providerOf(r.provider)!.label,
			project: r.project,
			kinds: providerOf(r.provider)!.kinds,
			sandbox: !!providerOf(r.provider)!.local
		}));
	const need = access.need;
	return {
		need: { id: need.id, title: need.title, status: need.status, group: access.group ? { slug: access.group.slug, name: access.group.name } : null },
		suggestedKind: need.kind === 'bug' ? 'bug' : 'feature',
		trackers,
		handoffs,
		handable: isHandable(need),
		linkBackWorks: mayReadNeed(null, needFacts(need), access.group, null)
	};
}

// ---------------------------------------------------------------------------------------------------
// For other modules' statements (the accountability dashboard): what "an open handoff" and "stalled" mean.

/** Whether the need `need` (an SQL expression naming its id) has an open handoff (handed upstream or in progress) whose item last changed before `before`. */
export const hasStalledHandoff = (need: RawBuilder<unknown>, before: Date) =>
	sql<boolean>`exists (
				select 1 from handoff h
				where h.need_id = ${need} and h.status in ('handed_upstream', 'in_progress') and h.upstream_updated_at < ${before}
			)`;

/** The oldest last upstream change among the open handoffs of the need `need` (null without one): what makes it stalled. */
export const oldestOpenUpstreamChange = (need: RawBuilder<unknown>) =>
	sql<Date | null>`(select min(h.upstream_updated_at) from handoff h where h.need_id = ${need} and h.status in ('handed_upstream', 'in_progress'))`;
