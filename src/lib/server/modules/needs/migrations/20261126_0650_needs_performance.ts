import { sql, type Kysely } from 'kysely';

/*
 * Indexes for the needs board at the design sizes (docs/decisions: incremental supporter facts).
 *
 * - support (deployment_id): a support or withdrawal asks "does anyone else in the family cite this
 *   deployment?", and a deployment's change finds the needs it is evidence for.
 * - member (organization key): a support or withdrawal asks "does anyone else in the family belong to
 *   this organization?"; the members of one organization are few next to a popular need's supporters.
 *   The expression is the one the stored facts count by: trimmed, lower case, blank as none.
 * - support (need_id, created_at): a need's page lists its first supporters without sorting them all.
 * - support (created_at, need_id, member_id), replacing support_recent_idx: the trending sort counts the
 *   last 14 days' supporters once per family, from the index alone.
 * - need.title_vector, the title's full-text vector stored (and indexed, replacing the expression index
 *   need_title_search_idx): similar-need suggestions rank their candidates by it, and computing it again
 *   for every candidate was most of a suggestion's time.
 *
 * Frozen in time: this file speaks SQL only and imports nothing from the app.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`create index support_deployment_idx on support (deployment_id) where deployment_id is not null`.execute(db);
	await sql`create index member_organization_key_idx on member ((lower(nullif(trim(organization), ''))))`.execute(db);
	await sql`create index support_need_created_idx on support (need_id, created_at)`.execute(db);
	await sql`create index support_recent_member_idx on support (created_at, need_id, member_id)`.execute(db);
	await sql`drop index support_recent_idx`.execute(db);
	await sql`alter table need add column title_vector tsvector generated always as (to_tsvector('english', title)) stored`.execute(db);
	await sql`create index need_title_vector_idx on need using gin (title_vector)`.execute(db);
	await sql`drop index need_title_search_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`create index support_recent_idx on support (created_at, need_id)`.execute(db);
	await sql`drop index support_recent_member_idx`.execute(db);
	await sql`create index need_title_search_idx on need using gin (to_tsvector('english', title))`.execute(db);
	await sql`alter table need drop column title_vector`.execute(db);
	await sql`drop index support_need_created_idx`.execute(db);
	await sql`drop index member_organization_key_idx`.execute(db);
	await sql`drop index support_deployment_idx`.execute(db);
}
