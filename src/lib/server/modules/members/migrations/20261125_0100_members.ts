import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('member')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('email', 'text', (c) => c.notNull())
		.addColumn('email_verified', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('handle', 'text', (c) => c.notNull())
		.addColumn('display_name', 'text', (c) => c.notNull())
		.addColumn('password_hash', 'text')
		.addColumn('organization', 'text')
		.addColumn('segments', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
		.addColumn('bio', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('is_admin', 'boolean', (c) => c.notNull().defaultTo(false))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.execute();
	await sql`create unique index member_email_key on member (lower(email))`.execute(db);
	await sql`create unique index member_handle_key on member (lower(handle))`.execute(db);
	await sql`create index member_segments_idx on member using gin (segments)`.execute(db);

	await db.schema
		.createTable('deployment')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('member_id', 'bigint', (c) => c.notNull().references('member.id').onDelete('cascade'))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('nodes', 'integer')
		.addColumn('instances', 'integer')
		.addColumn('releases', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
		.addColumn('components', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
		.addColumn('region', 'text')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('deployment_member_idx').on('deployment').column('member_id').execute();

	await db.schema
		.createTable('session')
		.addColumn('id_hash', 'text', (c) => c.primaryKey())
		.addColumn('member_id', 'bigint', (c) => c.notNull().references('member.id').onDelete('cascade'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
		.addColumn('expires_at', 'timestamptz', (c) => c.notNull())
		.addColumn('user_agent', 'text')
		.execute();
	await db.schema.createIndex('session_member_idx').on('session').column('member_id').execute();

	await db.schema
		.createTable('api_token')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('member_id', 'bigint', (c) => c.notNull().references('member.id').onDelete('cascade'))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('token_hash', 'text', (c) => c.notNull().unique())
		.addColumn('prefix', 'text', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('last_used_at', 'timestamptz')
		.addColumn('revoked_at', 'timestamptz')
		.execute();
	await db.schema.createIndex('api_token_member_idx').on('api_token').column('member_id').execute();

	await db.schema
		.createTable('sign_in_attempt')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('account', 'text', (c) => c.notNull())
		.addColumn('address', 'text', (c) => c.notNull())
		.addColumn('succeeded', 'boolean', (c) => c.notNull())
		.addColumn('at', 'timestamptz', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('sign_in_attempt_account_idx').on('sign_in_attempt').columns(['account', 'at']).execute();
	await db.schema.createIndex('sign_in_attempt_address_idx').on('sign_in_attempt').columns(['address', 'at']).execute();

	await db.schema
		.createTable('member_identity')
		.addColumn('issuer', 'text', (c) => c.notNull())
		.addColumn('subject', 'text', (c) => c.notNull())
		.addColumn('member_id', 'bigint', (c) => c.notNull().references('member.id').onDelete('cascade'))
		.addColumn('email', 'text')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addPrimaryKeyConstraint('member_identity_pkey', ['issuer', 'subject'])
		.execute();
	await db.schema.createIndex('member_identity_member_idx').on('member_identity').column('member_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of ['member_identity', 'sign_in_attempt', 'api_token', 'session', 'deployment', 'member']) {
		await db.schema.dropTable(table).execute();
	}
}
