import { sql, type Kysely } from 'kysely';

/** The sandbox tracker (decision 0020): a provider that keeps its issues in Caucus's own database. */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`alter table tracker drop constraint tracker_provider_check`.execute(db);
	await sql`alter table tracker add constraint tracker_provider_check
		check (provider in ('github', 'gitlab', 'jira', 'launchpad', 'storyboard', 'specs', 'sandbox'))`.execute(db);

	await db.schema
		.createTable('sandbox_issue')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('tracker_id', 'bigint', (c) => c.notNull().references('tracker.id').onDelete('cascade'))
		.addColumn('number', 'integer', (c) => c.notNull())
		.addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('bug', 'feature', 'blueprint', 'spec')`))
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('body', 'text', (c) => c.notNull())
		.addColumn('labels', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
		.addColumn('state', 'text', (c) =>
			c
				.notNull()
				.defaultTo('new')
				.check(sql`state in ('new', 'in_progress', 'fixed', 'wont_fix')`)
		)
		.addColumn('milestone', 'text')
		.addColumn('created_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.addUniqueConstraint('sandbox_issue_number_unique', ['tracker_id', 'number'])
		.execute();

	await db.schema
		.createTable('sandbox_issue_event')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('issue_id', 'bigint', (c) => c.notNull().references('sandbox_issue.id').onDelete('cascade'))
		.addColumn('actor_id', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('new', 'in_progress', 'fixed', 'wont_fix')`))
		.addColumn('milestone', 'text')
		.addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('at', 'timestamptz', (c) => c.notNull())
		.execute();
	await sql`create index sandbox_issue_event_issue_idx on sandbox_issue_event (issue_id, at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('sandbox_issue_event').execute();
	await db.schema.dropTable('sandbox_issue').execute();
	await sql`delete from handoff where tracker_id in (select id from tracker where provider = 'sandbox')`.execute(db);
	await sql`delete from tracker where provider = 'sandbox'`.execute(db);
	await sql`alter table tracker drop constraint tracker_provider_check`.execute(db);
	await sql`alter table tracker add constraint tracker_provider_check
		check (provider in ('github', 'gitlab', 'jira', 'launchpad', 'storyboard', 'specs'))`.execute(db);
}
