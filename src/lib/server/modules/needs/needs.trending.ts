import { sql } from 'kysely';
import type { Executor } from '#lib/server/platform/db/database.ts';
import type { JobKind } from '#lib/server/platform/module.ts';
import { TRENDING_DAYS } from './needs.queries.ts';

/*
 * The trending rollup (docs/decisions/0008-trending-rollup.md): `need.recent_support_count` is how many
 * people gave a support in the last TRENDING_DAYS days to the need or to a need merged into it, each
 * person once per family; a duplicate's own count is 0, its supports count on the need it was merged
 * into. The board's trending sort walks it by index (need_trending_idx) like `top` walks support_count.
 *
 * It is refreshed, not kept: the `needs.refresh_trending` job recomputes it every TRENDING_REFRESH_MS, so
 * a new support shows in trending (and an old one leaves it) up to one interval late. Merges and their
 * undo move whole families between needs; they recompute the needs they lock in their own transaction
 * (`refreshTrendingOf`), so a merged duplicate leaves the trending list at once.
 */

export const TRENDING_REFRESH_MS = 5 * 60_000;

const windowStart = (now: Date) => new Date(now.getTime() - TRENDING_DAYS * 86_400_000);

/**
 * Recomputes `recent_support_count` as of `now` for every need whose value changes, in two statements.
 * The first reads what changes without touching need's rows: the window's supports (index-only from
 * support_recent_member_idx), each counted on its family's root, distinct members per root, against the
 * stored counts above 0 (index-only from need_trending_idx); a need that kept a count but has no recent
 * supporter left, or became a duplicate, goes back to 0. The second writes only those needs, found by
 * primary key and locked in id order (as merges lock theirs): a run writes the needs that gained or lost
 * recent supporters since the last one, not the table. Returns how many needs changed.
 */
export async function refreshTrending(db: Executor, now: Date): Promise<number> {
	const since = windowStart(now);
	const diff = await sql<{ id: number; recent: number }>`
		with fresh as (
			select coalesce(d.duplicate_of_id, s.need_id) as id, count(distinct s.member_id)::int as recent
			from support s
			left join (select id, duplicate_of_id from need where duplicate_of_id is not null) d on d.id = s.need_id
			where s.created_at > ${since}
			group by 1
		),
		stored as (select id, recent_support_count as recent from need where recent_support_count > 0)
		select coalesce(f.id, c.id) as id, coalesce(f.recent, 0) as recent
		from fresh f full join stored c on c.id = f.id
		where coalesce(f.recent, 0) <> coalesce(c.recent, 0)`.execute(db);
	if (!diff.rows.length) return 0;
	const changes = JSON.stringify(diff.rows.map((r) => ({ id: Number(r.id), recent: r.recent })));
	const result = await sql<{ id: number }>`
		with changed as (
			select n.id, v.recent
			from jsonb_to_recordset(cast(${changes} as text)::jsonb) as v(id bigint, recent int)
			join need n on n.id = v.id
			order by n.id
			for no key update of n
		)
		update need set recent_support_count = c.recent from changed c where need.id = c.id
		returning need.id`.execute(db);
	return result.rows.length;
}

/**
 * Recomputes `recent_support_count` of the given needs as of `now` (0 for a duplicate), for a command
 * that moved their families and holds their rows locked: each count is an index range scan of the
 * family's supports (support_need_created_idx).
 */
export async function refreshTrendingOf(db: Executor, needIds: readonly number[], now: Date): Promise<void> {
	const ids = [...new Set(needIds)];
	if (!ids.length) return;
	const since = windowStart(now);
	await sql`
		update need set recent_support_count = case when need.duplicate_of_id is not null then 0 else (
			select count(distinct s.member_id)::int from support s
			where s.created_at > ${since}
				and (s.need_id = need.id or s.need_id in (select d.id from need d where d.duplicate_of_id = need.id))
		) end
		where need.id in (${sql.join(ids.map((id) => sql`${id}::bigint`))})`.execute(db);
}

/** The needs module's background jobs, listed in its manifest. */
export const trendingJobs: Record<string, JobKind> = {
	'needs.refresh_trending': {
		async handler(job) {
			const changed = await refreshTrending(job.db, job.now());
			return changed ? [`trending: ${changed} need${changed === 1 ? '' : 's'} changed their count of recent supporters`] : [];
		},
		every: TRENDING_REFRESH_MS
	}
};
