import { sql, type Kysely } from 'kysely';

/*
 * A need split off another remembers where it came from, so the original's supporters can be asked on the
 * new need's page whether this part matters to them too (issue 11).
 *
 * Frozen in time: this file speaks SQL only and imports nothing from the app.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`alter table need add column split_from_id bigint references need (id) on delete set null`.execute(db);
	await sql`
		update need n set split_from_id = a.subject_id
		from activity a
		where a.action = 'need.split' and a.subject_type = 'need' and (a.data ->> 'newId')::bigint = n.id
	`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`alter table need drop column split_from_id`.execute(db);
}
