import { sql, type Kysely } from 'kysely';

/** The directory searches handle, name and organization with ILIKE '%…%'; trigram indexes keep that fast at 50,000 members. */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`create index member_handle_trgm_idx on member using gin (handle gin_trgm_ops)`.execute(db);
	await sql`create index member_display_name_trgm_idx on member using gin (display_name gin_trgm_ops)`.execute(db);
	await sql`create index member_organization_trgm_idx on member using gin (organization gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	for (const index of ['member_handle_trgm_idx', 'member_display_name_trgm_idx', 'member_organization_trgm_idx']) {
		await db.schema.dropIndex(index).execute();
	}
}
