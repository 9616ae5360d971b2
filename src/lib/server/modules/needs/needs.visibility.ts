import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Actor } from '#lib/server/platform/context.ts';
import { leadGroupIds, readableGroupIds } from '#lib/server/modules/groups/index.ts';

/**
 * The SQL twin of `mayReadNeed`: every list, search, suggestion, count and export of needs goes
 * through it, so a closed group's unpublished or a hidden need never leaks through any door.
 *
 *   db.selectFrom('need').where(needReadableBy(ctx.actor))
 */
export function needReadableBy(actor: Actor | null, table = 'need'): RawBuilder<SqlBool> {
	const groupId = sql.ref(`${table}.group_id`);
	const publishedAt = sql.ref(`${table}.published_at`);
	const hiddenAt = sql.ref(`${table}.hidden_at`);
	if (actor?.isAdmin) return sql<SqlBool>`true`;
	const readable = sql<SqlBool>`(${groupId} is null or ${publishedAt} is not null or ${groupId} in ${readableGroupIds(actor)})`;
	if (!actor) return sql<SqlBool>`(${hiddenAt} is null and ${readable})`;
	return sql<SqlBool>`((${hiddenAt} is null or ${groupId} in ${leadGroupIds(actor)}) and ${readable})`;
}
