import { sql, type Kysely } from 'kysely';

/*
 * A need's chairs and moderators ask a member to champion or sponsor it; the member accepts (and stands as
 * volunteering would have them) or declines, and the asker may withdraw the question while it is open
 * (issue 11).
 *
 * Frozen in time: this file speaks SQL only and imports nothing from the app.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
		create table champion_invitation (
			id bigint generated always as identity primary key,
			need_id bigint not null references need (id) on delete cascade,
			member_id bigint not null references member (id) on delete cascade,
			role text not null check (role in ('champion', 'sponsor')),
			note text not null default '',
			invited_by bigint references member (id) on delete set null,
			created_at timestamptz not null,
			state text not null default 'pending' check (state in ('pending', 'accepted', 'declined', 'withdrawn')),
			answered_at timestamptz,
			answered_by bigint references member (id) on delete set null
		)
	`.execute(db);
	// One open invitation per member and need: the lock that keeps two chairs asking at once from both passing.
	await sql`create unique index champion_invitation_pending_key on champion_invitation (need_id, member_id) where state = 'pending'`.execute(db);
	// A need's page lists its invitations; a member's pending ones are found by member.
	await sql`create index champion_invitation_need_idx on champion_invitation (need_id, created_at)`.execute(db);
	await sql`create index champion_invitation_member_idx on champion_invitation (member_id) where state = 'pending'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop table champion_invitation`.execute(db);
}
