import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('job')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('payload', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn('dedupe_key', 'text')
		.addColumn('state', 'text', (c) =>
			c
				.notNull()
				.defaultTo('queued')
				.check(sql`state in ('queued', 'running', 'done', 'failed')`)
		)
		.addColumn('run_at', 'timestamptz', (c) => c.notNull())
		.addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('max_attempts', 'integer', (c) => c.notNull().defaultTo(5))
		.addColumn('locked_by', 'text')
		.addColumn('locked_until', 'timestamptz')
		.addColumn('last_error', 'text')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('finished_at', 'timestamptz')
		.execute();
	// What a worker looks for: due queued jobs, and running ones whose lease ran out.
	await sql`create index job_due_idx on job (run_at, id) where state = 'queued'`.execute(db);
	await sql`create index job_lease_idx on job (locked_until) where state = 'running'`.execute(db);
	await sql`create unique index job_dedupe_idx on job (dedupe_key) where state = 'queued'`.execute(db);
	await sql`create index job_finished_idx on job (finished_at) where state in ('done', 'failed')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('job').execute();
}
