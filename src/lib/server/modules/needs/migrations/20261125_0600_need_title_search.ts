import { sql, type Kysely } from 'kysely';

/**
 * Similar-need suggestions match the words typed in a title against other titles. Matching them against
 * the whole search vector (title and body) made common words hit nearly every need at 100,000 needs.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`create index need_title_search_idx on need using gin (to_tsvector('english', title))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await db.schema.dropIndex('need_title_search_idx').execute();
}
