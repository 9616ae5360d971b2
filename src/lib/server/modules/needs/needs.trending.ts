import { sql } from 'kysely';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { registerJob } from '#lib/server/platform/jobs/index.ts';
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
 * Recomputes `recent_support_count` as of `now` for every need whose value changes, in one statement:
 * the window's supports (index-only from support_recent_member_idx), each counted on its family's root,
 * distinct members per root; needs that kept a count but have no recent supporter left (or became a
 * duplicate) go back to 0 (found through need_trending_idx). Rows whose count stays are not written, so a
 * run writes (and locks) only the needs that gained or lost recent supporters since the last one; it
 * locks them in id order, as merges lock their needs. Returns how many needs changed.
 */
export async function refreshTrending(db: Executor, now: Date): Promise<number> {
	const since = windowStart(now);
	const result = await sql<{ id: number }>`
		with fresh as (
			select coalesce(d.duplicate_of_id, s.need_id) as id, count(distinct s.member_id)::int as recent
			from support s
			left join (select id, duplicate_of_id from need where duplicate_of_id is not null) d on d.id = s.need_id
			where s.created_at > ${since}
			group by 1
		),
		wanted as (
			select f.id, f.recent from fresh f
			union all
			select n.id, 0 from need n where n.recent_support_count > 0 and not exists (select 1 from fresh f where f.id = n.id)
		),
		changed as (
			select n.id, w.recent from need n join wanted w on w.id = n.id
			where n.recent_support_count <> w.recent
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

registerJob(
	'needs.refresh_trending',
	async (job) => {
		const changed = await refreshTrending(job.db, job.now());
		return changed ? [`trending: ${changed} need${changed === 1 ? '' : 's'} changed their count of recent supporters`] : [];
	},
	{ every: TRENDING_REFRESH_MS }
);
