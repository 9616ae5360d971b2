import { sql, type Kysely } from 'kysely';

/*
 * Supporters per segment, stored (docs/decisions/0009-stored-segment-counts.md).
 *
 * need_segment_count holds, for a need, how many distinct people supporting it or a need merged into it
 * are in each segment (a member in two segments counts in both). It is kept exact with need.support_count:
 * a support or withdrawal moves it by the person's own segments when the person joins or leaves the
 * family, and every recount recomputes it from the rows. A row may reach 0 (a withdrawal never deletes
 * rows it could race with); readers ask for supporters > 0.
 *
 * A popular need's page counted its thousands of supporters by segment on every view (70 ms of its
 * 100 ms at the design size), and the board's segment filter probed supports need by need.
 *
 * Frozen in time: this file speaks SQL only and imports nothing from the app.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
		create table need_segment_count (
			need_id bigint not null references need (id) on delete cascade,
			segment text not null,
			supporters integer not null check (supporters >= 0),
			primary key (need_id, segment)
		)`.execute(db);
	await sql`
		insert into need_segment_count (need_id, segment, supporters)
		select f.root, seg, count(distinct f.member_id)::int
		from (
			select s.need_id as root, s.member_id from support s
			union all
			select d.duplicate_of_id, s.member_id from need d join support s on s.need_id = d.id where d.duplicate_of_id is not null
		) f
		join member m on m.id = f.member_id
		cross join lateral unnest(m.segments) as seg
		group by f.root, seg`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop table need_segment_count`.execute(db);
}
