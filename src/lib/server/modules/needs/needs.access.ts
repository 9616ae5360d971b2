import type { Ctx } from '#lib/server/platform/context.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { notFound } from '#lib/server/platform/errors.ts';
import { findGroupById, findMembership, type Group, type Membership } from '#lib/server/modules/groups/index.ts';
import { mayReadNeed, needAbilities, type NeedAbilities, type NeedFacts } from './needs.policy.ts';
import type { NeedRow } from './needs.tables.ts';

export interface NeedAccess {
	need: NeedRow;
	group: Group | null;
	membership: Membership | null;
	abilities: NeedAbilities;
}

/** The columns of a need that the policy looks at. */
export type NeedPolicyRow = Pick<NeedRow, 'author_id' | 'group_id' | 'published_at' | 'hidden_at' | 'locked_at' | 'status'>;

export const needFacts = (need: NeedPolicyRow): NeedFacts => ({
	authorId: need.author_id,
	groupId: need.group_id,
	publishedAt: need.published_at,
	hiddenAt: need.hidden_at,
	lockedAt: need.locked_at,
	status: need.status
});

/**
 * A need with its group and the actor's membership, if the actor may read it. A need the actor may not
 * read answers `not_found`, exactly like one that does not exist, so ids of closed work do not leak.
 * Pass `forUpdate` inside a transaction to lock the need's row before counting or changing it.
 */
export async function loadNeedAccess(ctx: Ctx, needId: number, options: { forUpdate?: boolean } = {}): Promise<NeedAccess> {
	if (!Number.isSafeInteger(needId) || needId <= 0) throw notFound('The need');
	let query = ctx.db.selectFrom('need').selectAll().where('id', '=', needId);
	if (options.forUpdate) query = query.forUpdate();
	const need = await query.executeTakeFirst();
	if (!need) throw notFound('The need');
	const { group, membership } = await groupAndMembership(ctx.db, need.group_id, ctx.actor?.memberId ?? null);
	if (!mayReadNeed(ctx.actor, needFacts(need), group, membership)) throw notFound('The need');
	return { need, group, membership, abilities: needAbilities(ctx.actor, needFacts(need), group, membership) };
}

/**
 * A need by id, or its access already loaded for the same reader. A page that shows a need with parts from
 * several modules asks the access question once (`loadNeedAccess`) and passes the answer on to each part.
 */
export type NeedOrAccess = number | NeedAccess;

/** The access of `need`: loaded (and checked) for an id, as given for an access already loaded. */
export async function resolveNeedAccess(ctx: Ctx, need: NeedOrAccess): Promise<NeedAccess> {
	return typeof need === 'number' ? loadNeedAccess(ctx, need) : need;
}

export async function groupAndMembership(db: Executor, groupId: number | null, memberId: number | null) {
	if (groupId === null) return { group: null, membership: null };
	const group = (await findGroupById(db, groupId)) ?? null;
	const membership = memberId === null || !group ? null : ((await findMembership(db, groupId, memberId)) ?? null);
	return { group, membership };
}
