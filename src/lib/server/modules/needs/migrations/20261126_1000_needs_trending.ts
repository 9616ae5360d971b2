import { sql, type Kysely } from 'kysely';

/*
 * The trending sort from a stored rollup (docs/decisions/0008-trending-rollup.md).
 *
 * need.recent_support_count holds how many people gave a support in the last 14 days to the need or to a
 * need merged into it, each person once; a duplicate's stays 0. A recurring job recomputes it (and merges
 * and their undo recompute the needs they touch), so the board walks need_trending_idx like need_top_idx
 * instead of counting the window's supports on every request. The index holds only needs with recent
 * supports, the only ones the sort lists. It is filled here as of the migration's time, so the sort is
 * not empty until the job's first run.
 *
 * Frozen in time: this file speaks SQL only and imports nothing from the app.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`alter table need add column recent_support_count integer not null default 0`.execute(db);
	await sql`
		update need set recent_support_count = f.recent
		from (
			select coalesce(d.duplicate_of_id, s.need_id) as id, count(distinct s.member_id)::int as recent
			from support s
			left join (select id, duplicate_of_id from need where duplicate_of_id is not null) d on d.id = s.need_id
			where s.created_at > now() - interval '14 days'
			group by 1
		) f
		where need.id = f.id`.execute(db);
	await sql`create index need_trending_idx on need (recent_support_count desc, id desc) where recent_support_count > 0`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop index need_trending_idx`.execute(db);
	await sql`alter table need drop column recent_support_count`.execute(db);
}
