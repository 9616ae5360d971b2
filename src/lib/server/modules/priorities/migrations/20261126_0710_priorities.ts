import { sql, type Kysely } from 'kysely';

/*
 * Priority rounds (a group's ranked ballot over candidate needs in a cycle), their ballots, and the
 * published, versioned priority lists. Frozen in time: takes Kysely<any>, imports nothing from the app.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('priority_round')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('group_id', 'bigint', (c) => c.notNull().references('group.id').onDelete('cascade'))
		.addColumn('cycle_id', 'bigint', (c) => c.notNull().references('cycle.id'))
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('state', 'text', (c) => c.notNull().defaultTo('open'))
		.addColumn('opened_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('opened_at', 'timestamptz', (c) => c.notNull())
		.addColumn('closes_at', 'timestamptz')
		.addColumn('closed_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('closed_at', 'timestamptz')
		.addColumn('seed', 'text')
		.addColumn('eligible_count', 'integer')
		.addColumn('ballot_count', 'integer')
		.addColumn('result', 'jsonb')
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.addCheckConstraint('priority_round_state', sql`state in ('open', 'closed')`)
		.addCheckConstraint('priority_round_closed_has_result', sql`(state = 'open') = (closed_at is null and result is null and seed is null)`)
		.execute();
	await sql`create index priority_round_group_idx on priority_round (group_id, opened_at desc)`.execute(db);
	await sql`create index priority_round_open_idx on priority_round (closes_at) where state = 'open'`.execute(db);

	await db.schema
		.createTable('priority_candidate')
		.addColumn('round_id', 'bigint', (c) => c.notNull().references('priority_round.id').onDelete('cascade'))
		.addColumn('need_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('position', 'integer', (c) => c.notNull())
		.addPrimaryKeyConstraint('priority_candidate_pk', ['round_id', 'need_id'])
		.execute();

	// One ballot per member and round: the unique key is the lock that keeps a second one out.
	await db.schema
		.createTable('priority_ballot')
		.addColumn('round_id', 'bigint', (c) => c.notNull().references('priority_round.id').onDelete('cascade'))
		.addColumn('member_id', 'bigint', (c) => c.notNull().references('member.id').onDelete('cascade'))
		.addColumn('ranking', 'jsonb', (c) => c.notNull())
		.addColumn('cast_at', 'timestamptz', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.addPrimaryKeyConstraint('priority_ballot_pk', ['round_id', 'member_id'])
		.execute();

	await db.schema
		.createTable('priority_list')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('round_id', 'bigint', (c) => c.notNull().references('priority_round.id').onDelete('cascade'))
		.addColumn('group_id', 'bigint', (c) => c.notNull().references('group.id').onDelete('cascade'))
		.addColumn('cycle_id', 'bigint', (c) => c.notNull().references('cycle.id'))
		.addColumn('version', 'integer', (c) => c.notNull())
		.addColumn('slug', 'text', (c) => c.notNull().unique())
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('published_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('published_at', 'timestamptz', (c) => c.notNull())
		.addColumn('content', 'jsonb', (c) => c.notNull())
		.addUniqueConstraint('priority_list_version_unique', ['group_id', 'cycle_id', 'version'])
		.execute();
	await sql`create index priority_list_published_idx on priority_list (published_at desc)`.execute(db);

	// Where each need stands in each published list: the need page asks by need.
	await db.schema
		.createTable('priority_list_entry')
		.addColumn('list_id', 'bigint', (c) => c.notNull().references('priority_list.id').onDelete('cascade'))
		.addColumn('need_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('rank', 'integer', (c) => c.notNull())
		.addPrimaryKeyConstraint('priority_list_entry_pk', ['list_id', 'need_id'])
		.execute();
	await sql`create index priority_list_entry_need_idx on priority_list_entry (need_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('priority_list_entry').execute();
	await db.schema.dropTable('priority_list').execute();
	await db.schema.dropTable('priority_ballot').execute();
	await db.schema.dropTable('priority_candidate').execute();
	await db.schema.dropTable('priority_round').execute();
}
