import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('cycle')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('slug', 'text', (c) => c.notNull().unique())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('starts_on', 'date', (c) => c.notNull())
		.addColumn('ends_on', 'date', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addCheckConstraint('cycle_dates_ordered', sql`starts_on <= ends_on`)
		.execute();
	await sql`create index cycle_dates_idx on cycle (starts_on, ends_on)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('cycle').execute();
}
