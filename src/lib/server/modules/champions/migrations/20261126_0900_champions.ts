import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('need_champion')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('need_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('member_id', 'bigint', (c) => c.notNull().references('member.id').onDelete('cascade'))
		.addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('champion', 'sponsor')`))
		.addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('ended_at', 'timestamptz')
		.addColumn('ended_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('end_reason', 'text')
		.execute();
	// One standing role per member and need: the lock that keeps two volunteering requests from both passing.
	await sql`create unique index need_champion_active_key on need_champion (need_id, member_id) where ended_at is null`.execute(db);
	// "Needs a champion" is an anti-join on this; the member's own list reads the second.
	await sql`create index need_champion_need_role_idx on need_champion (need_id, role) where ended_at is null`.execute(db);
	await sql`create index need_champion_member_idx on need_champion (member_id) where ended_at is null`.execute(db);

	await db.schema
		.createTable('upstream_change')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('need_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('url', 'text', (c) => c.notNull())
		.addColumn('forge', 'text', (c) => c.notNull().check(sql`forge in ('gerrit', 'github', 'gitlab')`))
		.addColumn('host', 'text', (c) => c.notNull())
		.addColumn('project', 'text', (c) => c.notNull())
		.addColumn('number', 'bigint', (c) => c.notNull())
		.addColumn('state', 'text', (c) =>
			c
				.notNull()
				.defaultTo('open')
				.check(sql`state in ('open', 'merged', 'abandoned')`)
		)
		.addColumn('added_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('state_changed_at', 'timestamptz', (c) => c.notNull())
		.addColumn('state_changed_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('checked_at', 'timestamptz')
		.addUniqueConstraint('upstream_change_need_url_key', ['need_id', 'url'])
		.execute();

	// The GitHub refresher reads open pull requests, least recently checked first.
	await sql`create index upstream_change_open_github_idx on upstream_change (checked_at nulls first, id) where forge = 'github' and state = 'open'`.execute(db);
	// The accountability dashboard finds a cycle's needs by their first move to accepted or beyond, and
	// reads each need's history once; this serves both without touching the table.
	await sql`create index need_status_change_to_idx on need_status_change (to_status, at) include (need_id)`.execute(db);
	// The dashboard checks each need's visibility; this lets it read group, publication and hiding from the
	// index alone (all groups: a full index-only scan; one group: a range), never the wide need rows.
	await sql`create index need_group_visibility_idx on need (group_id, id) include (published_at, hidden_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`drop index if exists need_group_visibility_idx`.execute(db);
	await sql`drop index if exists need_status_change_to_idx`.execute(db);
	await db.schema.dropTable('upstream_change').execute();
	await db.schema.dropTable('need_champion').execute();
}
