import { sql, type Kysely } from 'kysely';

/*
 * The board's per-need supporter facts, stored next to `support_count` and kept exact the same way:
 * distinct organizations of the supporters (trimmed, case-insensitive, blank ones left out), distinct
 * deployments attached to their supports as evidence, and those deployments' summed nodes and instances.
 * A need's family is the need and the needs whose `duplicate_of_id` points to it.
 *
 * Frozen in time: this file speaks SQL only and imports nothing from the app.
 */
export async function up(db: Kysely<any>): Promise<void> {
	await sql`
		alter table need
			add column organization_count integer not null default 0,
			add column deployment_count integer not null default 0,
			add column deployment_nodes bigint not null default 0,
			add column deployment_instances bigint not null default 0`.execute(db);

	await sql`
		with family as (
			select s.need_id as root, s.member_id, s.deployment_id from support s
			union all
			select d.duplicate_of_id as root, s.member_id, s.deployment_id
			from need d join support s on s.need_id = d.id
			where d.duplicate_of_id is not null
		),
		people as (
			select f.root, count(distinct lower(nullif(trim(m.organization), '')))::int as organizations
			from family f join member m on m.id = f.member_id
			group by f.root
		),
		evidence as (
			select x.root, count(*)::int as deployments, coalesce(sum(dep.nodes), 0)::bigint as nodes, coalesce(sum(dep.instances), 0)::bigint as instances
			from (select distinct f.root, f.deployment_id from family f where f.deployment_id is not null) x
			join deployment dep on dep.id = x.deployment_id
			group by x.root
		),
		facts as (
			select coalesce(p.root, e.root) as root, coalesce(p.organizations, 0) as organizations, coalesce(e.deployments, 0) as deployments,
				coalesce(e.nodes, 0) as nodes, coalesce(e.instances, 0) as instances
			from people p full join evidence e on e.root = p.root
		)
		update need set
			organization_count = facts.organizations,
			deployment_count = facts.deployments,
			deployment_nodes = facts.nodes,
			deployment_instances = facts.instances
		from facts
		where need.id = facts.root`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
	await sql`
		alter table need
			drop column organization_count,
			drop column deployment_count,
			drop column deployment_nodes,
			drop column deployment_instances`.execute(db);
}
