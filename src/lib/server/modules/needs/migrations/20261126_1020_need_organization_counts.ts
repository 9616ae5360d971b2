import { sql, type Kysely } from 'kysely';

/*
 * Supporters per organization, stored (docs/decisions/0011-stored-organization-counts.md).
 *
 * need_organization_count holds, for a need, how many distinct people supporting it or a need merged
 * into it belong to each organization (by the key the facts count: trimmed, lower case, blank as none,
 * so a member of none has no row). need.organization_count is the number of its rows above 0. A support
 * or withdrawal asks "is anyone else of my organization here?" by primary key instead of looking
 * through the organization's members (member_organization_key_idx, dropped here: nothing else reads it),
 * which cost one probe per member of the organization on every support of a popular need.
 *
 * Frozen in time: this file speaks SQL only and imports nothing from the app.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
		create table need_organization_count (
			need_id bigint not null references need (id) on delete cascade,
			organization text not null,
			supporters integer not null check (supporters >= 0),
			primary key (need_id, organization)
		)`.execute(db);
	await sql`
		insert into need_organization_count (need_id, organization, supporters)
		select f.root, lower(nullif(trim(m.organization), '')), count(distinct f.member_id)::int
		from (
			select s.need_id as root, s.member_id from support s
			union all
			select d.duplicate_of_id, s.member_id from need d join support s on s.need_id = d.id where d.duplicate_of_id is not null
		) f
		join member m on m.id = f.member_id
		where lower(nullif(trim(m.organization), '')) is not null
		group by 1, 2`.execute(db);
	await sql`drop index member_organization_key_idx`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`create index member_organization_key_idx on member ((lower(nullif(trim(organization), ''))))`.execute(db);
	await sql`drop table need_organization_count`.execute(db);
}
