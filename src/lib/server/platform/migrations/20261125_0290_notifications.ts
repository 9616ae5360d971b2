import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('notification')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('member_id', 'bigint', (c) => c.notNull().references('member.id').onDelete('cascade'))
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('subject_type', 'text', (c) => c.notNull())
		.addColumn('subject_id', 'bigint')
		.addColumn('data', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('read_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('notification_member_idx').on('notification').columns(['member_id', 'created_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('notification').execute();
}
