import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
	await db.schema
		.createTable('component')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('slug', 'text', (c) => c.notNull().unique())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('need')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('bug', 'feature', 'pain_point', 'documentation', 'operations')`))
		.addColumn('status', 'text', (c) =>
			c
				.notNull()
				.defaultTo('new')
				.check(sql`status in ('new', 'triaged', 'accepted', 'handed_upstream', 'in_progress', 'delivered', 'declined', 'duplicate')`)
		)
		.addColumn('status_reason', 'text')
		.addColumn('group_id', 'bigint', (c) => c.references('group.id').onDelete('restrict'))
		.addColumn('published_at', 'timestamptz')
		.addColumn('author_id', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('source_channel', 'text', (c) =>
			c
				.notNull()
				.defaultTo('direct')
				.check(sql`source_channel in ('direct', 'mailing_list', 'session', 'survey', 'vendor_relay')`)
		)
		.addColumn('source_url', 'text')
		.addColumn('source_note', 'text')
		.addColumn('tags', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
		.addColumn('releases', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
		.addColumn('duplicate_of_id', 'bigint', (c) => c.references('need.id').onDelete('set null'))
		.addColumn('hidden_at', 'timestamptz')
		.addColumn('hidden_reason', 'text')
		.addColumn('hidden_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('locked_at', 'timestamptz')
		.addColumn('locked_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('support_count', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('comment_count', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('updated_at', 'timestamptz', (c) => c.notNull())
		.addColumn('search', sql`tsvector`, (c) =>
			c
				.generatedAlwaysAs(sql`setweight(to_tsvector('english', coalesce(title, '')), 'A') || setweight(to_tsvector('english', coalesce(body, '')), 'B')`)
				.stored()
		)
		.execute();
	// The board's sorts are keyset-paginated on (sort key, id).
	await sql`create index need_top_idx on need (support_count desc, id desc)`.execute(db);
	await sql`create index need_new_idx on need (created_at desc, id desc)`.execute(db);
	await sql`create index need_updated_idx on need (updated_at desc, id desc)`.execute(db);
	await sql`create index need_status_idx on need (status)`.execute(db);
	await sql`create index need_group_idx on need (group_id)`.execute(db);
	await sql`create index need_duplicate_of_idx on need (duplicate_of_id) where duplicate_of_id is not null`.execute(db);
	await sql`create index need_search_idx on need using gin (search)`.execute(db);
	await sql`create index need_title_trgm_idx on need using gin (title gin_trgm_ops)`.execute(db);
	await sql`create index need_tags_idx on need using gin (tags)`.execute(db);
	await sql`create index need_releases_idx on need using gin (releases)`.execute(db);

	await db.schema
		.createTable('need_component')
		.addColumn('need_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('component_id', 'bigint', (c) => c.notNull().references('component.id').onDelete('cascade'))
		.addPrimaryKeyConstraint('need_component_pkey', ['need_id', 'component_id'])
		.execute();
	await db.schema.createIndex('need_component_component_idx').on('need_component').columns(['component_id', 'need_id']).execute();

	// One support per member and need: the primary key is the lock that makes double supports impossible.
	await db.schema
		.createTable('support')
		.addColumn('need_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('member_id', 'bigint', (c) => c.notNull().references('member.id').onDelete('cascade'))
		.addColumn('deployment_id', 'bigint', (c) => c.references('deployment.id').onDelete('set null'))
		.addColumn('impact', 'text')
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addPrimaryKeyConstraint('support_pkey', ['need_id', 'member_id'])
		.execute();
	await db.schema.createIndex('support_member_idx').on('support').column('member_id').execute();
	await db.schema.createIndex('support_recent_idx').on('support').columns(['created_at', 'need_id']).execute();

	await db.schema
		.createTable('need_follow')
		.addColumn('need_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('member_id', 'bigint', (c) => c.notNull().references('member.id').onDelete('cascade'))
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addPrimaryKeyConstraint('need_follow_pkey', ['need_id', 'member_id'])
		.execute();
	await db.schema.createIndex('need_follow_member_idx').on('need_follow').column('member_id').execute();

	await db.schema
		.createTable('need_comment')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('need_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('author_id', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('body', 'text', (c) => c.notNull())
		.addColumn('created_at', 'timestamptz', (c) => c.notNull())
		.addColumn('edited_at', 'timestamptz')
		.addColumn('deleted_at', 'timestamptz')
		.addColumn('hidden_at', 'timestamptz')
		.addColumn('hidden_reason', 'text')
		.addColumn('hidden_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.execute();
	await db.schema.createIndex('need_comment_need_idx').on('need_comment').columns(['need_id', 'created_at']).execute();

	await db.schema
		.createTable('need_status_change')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('need_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('from_status', 'text')
		.addColumn('to_status', 'text', (c) => c.notNull())
		.addColumn('reason', 'text', (c) => c.notNull())
		.addColumn('actor_id', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('at', 'timestamptz', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('need_status_change_need_idx').on('need_status_change').columns(['need_id', 'at']).execute();

	await db.schema
		.createTable('need_merge')
		.addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
		.addColumn('source_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('target_id', 'bigint', (c) => c.notNull().references('need.id').onDelete('cascade'))
		.addColumn('reason', 'text', (c) => c.notNull())
		.addColumn('actor_id', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.addColumn('merged_at', 'timestamptz', (c) => c.notNull())
		.addColumn('source_previous_status', 'text', (c) => c.notNull())
		.addColumn('source_previous_reason', 'text')
		.addColumn('carried_ids', sql`bigint[]`, (c) => c.notNull().defaultTo(sql`'{}'::bigint[]`))
		.addColumn('undone_at', 'timestamptz')
		.addColumn('undone_by', 'bigint', (c) => c.references('member.id').onDelete('set null'))
		.execute();
	await db.schema.createIndex('need_merge_source_idx').on('need_merge').columns(['source_id', 'merged_at']).execute();
	await db.schema.createIndex('need_merge_target_idx').on('need_merge').columns(['target_id', 'merged_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const table of ['need_merge', 'need_status_change', 'need_comment', 'need_follow', 'support', 'need_component', 'need', 'component']) {
		await db.schema.dropTable(table).execute();
	}
}
