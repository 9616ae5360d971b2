import { sql, type Kysely } from 'kysely';

/** Sign-up attempts per client address (the sign-up throttle) and admin-issued password reset links (decision 0012). */
export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('sign_up_attempt')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('address', 'text', (c) => c.notNull())
		.addColumn('at', 'timestamptz', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('sign_up_attempt_address_idx').on('sign_up_attempt').columns(['address', 'at']).execute();

	await db.schema
		.createTable('password_reset_link')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('member_id', 'bigint', (c) => c.notNull().references('member.id').onDelete('cascade'))
		.addColumn('token_hash', 'text', (c) => c.notNull().unique())
		.addColumn('issued_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('used_at', 'timestamptz')
		.execute();
	await sql`create index password_reset_link_live_idx on password_reset_link (member_id) where used_at is null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('password_reset_link').execute();
	await db.schema.dropTable('sign_up_attempt').execute();
}
