import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await sql`create extension if not exists pg_trgm`.execute(db);

	await db.schema
		.createTable('activity')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('at', 'timestamptz', (c) => c.notNull())
		.addColumn('actor_id', 'bigint')
		.addColumn('action', 'text', (c) => c.notNull())
		.addColumn('subject_type', 'text', (c) => c.notNull())
		.addColumn('subject_id', 'bigint')
		.addColumn('group_id', 'bigint')
		.addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
		.execute();
	await db.schema.createIndex('activity_subject_idx').on('activity').columns(['subject_type', 'subject_id', 'at']).execute();
	await db.schema.createIndex('activity_at_idx').on('activity').column('at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('activity').execute();
}
