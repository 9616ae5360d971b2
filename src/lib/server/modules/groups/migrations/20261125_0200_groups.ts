import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('group')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('slug', 'text', (c) => c.notNull().unique())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('working_group', 'committee', 'sig', 'ops_team')`))
		.addColumn('visibility', 'text', (c) => c.notNull().check(sql`visibility in ('open', 'closed')`))
		.addColumn('summary', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('charter', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('created_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('group_membership')
		.addColumn('group_id', 'bigint', (c) => c.notNull().references('group.id').onDelete('cascade'))
		.addColumn('member_id', 'bigint', (c) => c.notNull().references('member.id').onDelete('cascade'))
		.addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('chair', 'moderator', 'member')`))
		.addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('active', 'requested', 'invited')`))
		.addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('invited_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.addPrimaryKeyConstraint('group_membership_pkey', ['group_id', 'member_id'])
		.execute();
	await db.schema.createIndex('group_membership_member_idx').on('group_membership').columns(['member_id', 'state']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropTable('group_membership').execute();
	await db.schema.dropTable('group').execute();
}
