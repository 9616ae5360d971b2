import { expressionBuilder, sql, type Expression, type RawBuilder, type SqlBool } from 'kysely';
import type { Actor } from '#lib/server/platform/context.ts';
import type { Database } from '#lib/server/platform/db/database.ts';

/*
 * Closed groups keep their work private "through every door": lists, search, the API, feeds, e-mails,
 * exports and counts. Every module that stores something belonging to a group (a `group_id` column)
 * reads it through one of these, the SQL twins of `mayReadGroupWork` in groups.policy.ts:
 *
 *   db.selectFrom('need').where(groupWorkReadableBy(ctx.actor, 'need.group_id'))     // lists, counts, search
 *   await requireGroupWorkReadable(ctx, need.group_id, 'The need')                    // one item by id (groups.queries.ts)
 */

/**
 * The ids of the groups whose work `actor` may read: open groups, closed groups where they are an
 * active member, and every group for a site administrator. A subquery, to use with `in`.
 */
export function readableGroupIds(actor: Actor | null) {
	const eb = expressionBuilder<Database, never>();
	const groups = eb.selectFrom('group').select('group.id');
	if (actor?.isAdmin) return groups;
	if (!actor) return groups.where('group.visibility', '=', 'open');
	return groups.where((e) =>
		e.or([
			e('group.visibility', '=', 'open'),
			e.exists(
				e
					.selectFrom('group_membership')
					.select('group_membership.group_id')
					.whereRef('group_membership.group_id', '=', 'group.id')
					.where('group_membership.member_id', '=', actor.memberId)
					.where('group_membership.state', '=', 'active')
			)
		])
	);
}

/**
 * A WHERE condition keeping only rows whose `column` (a group id, e.g. 'need.group_id') names a group
 * the actor may read. Rows with no group (null) are not group work and pass, unless `nullIsPublic` is false.
 */
export function groupWorkReadableBy(actor: Actor | null, column: string, options: { nullIsPublic?: boolean } = {}): RawBuilder<SqlBool> {
	const nullIsPublic = options.nullIsPublic ?? true;
	const ref = sql.ref(column);
	if (actor?.isAdmin) return nullIsPublic ? sql<SqlBool>`true` : sql<SqlBool>`${ref} is not null`;
	const ids: Expression<unknown> = readableGroupIds(actor);
	return nullIsPublic ? sql<SqlBool>`(${ref} is null or ${ref} in ${ids})` : sql<SqlBool>`${ref} in ${ids}`;
}

/*
 * Membership as other modules read it in their joins: these subqueries are the groups module's word on who
 * is an active member, chair or moderator. (One exception, documented where it is: the support command's
 * single-statement fast path in needs.supports.ts reads the membership row with the need and the member.)
 */

/** The ids of the active members of a group: a subquery, to use with `in`. `group` is an id or an SQL expression (e.g. sql.ref('r.group_id')). */
export function activeMemberIds(group: number | Expression<number>) {
	const eb = expressionBuilder<Database, never>();
	return eb
		.selectFrom('group_membership')
		.select('group_membership.member_id')
		.where('group_membership.group_id', '=', group)
		.where('group_membership.state', '=', 'active');
}

/** The groups where the actor is an active chair or moderator (those whose needs they moderate): a subquery, to use with `in`. */
export function leadGroupIds(actor: Actor) {
	const eb = expressionBuilder<Database, never>();
	return eb
		.selectFrom('group_membership')
		.select('group_membership.group_id')
		.where('group_membership.member_id', '=', actor.memberId)
		.where('group_membership.state', '=', 'active')
		.where('group_membership.role', 'in', ['chair', 'moderator']);
}
