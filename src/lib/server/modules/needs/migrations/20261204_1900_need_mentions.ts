import { sql, type Kysely } from 'kysely';

/*
 * Who was told of a mention (`@handle`) in a need's description or in one of its comments (issue 11). A
 * member is told once per text: editing a comment that keeps the mention tells nobody again.
 *
 * Frozen in time: this file speaks SQL only and imports nothing from the app.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
		create table need_mention (
			id bigint generated always as identity primary key,
			need_id bigint not null references need (id) on delete cascade,
			comment_id bigint references need_comment (id) on delete cascade,
			member_id bigint not null references member (id) on delete cascade,
			author_id bigint references member (id) on delete set null,
			created_at timestamptz not null
		)
	`.execute(db);
	// One mention per member and comment, or per member and need description (comment_id null): the lock
	// that keeps a comment saved twice at once from telling anyone twice.
	await sql`create unique index need_mention_comment_key on need_mention (comment_id, member_id) where comment_id is not null`.execute(db);
	await sql`create unique index need_mention_body_key on need_mention (need_id, member_id) where comment_id is null`.execute(db);
	await sql`create index need_mention_member_idx on need_mention (member_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop table need_mention`.execute(db);
}
