import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('tracker')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('name', 'text', (c) => c.notNull().unique())
		.addColumn('provider', 'text', (c) => c.notNull().check(sql`provider in ('github', 'gitlab', 'jira', 'launchpad', 'storyboard', 'specs')`))
		.addColumn('base_url', 'text', (c) => c.notNull())
		.addColumn('project', 'text', (c) => c.notNull())
		.addColumn('settings', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn('credentials_encrypted', 'text')
		.addColumn('webhook_secret_encrypted', 'text')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.addColumn('disabled_at', 'timestamptz')
		.execute();

	await db.schema
		.createTable('handoff')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('need_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('tracker_id', 'bigint', (c) => c.notNull().references('tracker.id').onDelete('restrict'))
		.addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('bug', 'feature', 'blueprint', 'spec')`))
		.addColumn('upstream_key', 'text', (c) => c.notNull())
		.addColumn('upstream_url', 'text', (c) => c.notNull())
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('linked', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('upstream_state', 'text', (c) => c.notNull().defaultTo('open'))
		.addColumn('status', 'text', (c) =>
			c
				.notNull()
				.defaultTo('handed_upstream')
				.check(sql`status in ('handed_upstream', 'in_progress', 'delivered', 'declined_upstream')`)
		)
		.addColumn('delivered_in', 'text')
		.addColumn('created_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('upstream_updated_at', 'timestamptz', (c) => c.notNull())
		.addColumn('synced_at', 'timestamptz')
		.addColumn('sync_error', 'text')
		.addUniqueConstraint('handoff_upstream_unique', ['tracker_id', 'upstream_key'])
		.execute();
	// One handoff per need and tracker: two moderators racing to hand the same need cannot both record one.
	await sql`create unique index handoff_need_tracker_idx on handoff (need_id, tracker_id)`.execute(db);
	await sql`create index handoff_sync_idx on handoff (tracker_id, synced_at nulls first) where status in ('handed_upstream', 'in_progress')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('handoff').execute();
	await db.schema.dropTable('tracker').execute();
}
