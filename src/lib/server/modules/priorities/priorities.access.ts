import type { Ctx } from '#lib/server/platform/context.ts';
import { notFound } from '#lib/server/platform/errors.ts';
import { loadGroupAccess, type Group, type Membership } from '#lib/server/modules/groups/index.ts';
import { findCycleById, type Cycle } from '#lib/server/modules/cycles/index.ts';
import { mayReadRound, roundAbilities, type RoundAbilities } from './priorities.policy.ts';
import type { PriorityRoundRow } from './priorities.tables.ts';

export interface RoundAccess {
	round: PriorityRoundRow;
	group: Group;
	cycle: Cycle;
	membership: Membership | null;
	abilities: RoundAbilities;
}

export const validId = (id: number) => Number.isSafeInteger(id) && id > 0;

/**
 * A round with its group, cycle and the actor's membership, if the actor may read it. A closed group's
 * round answers `not_found` to outsiders, exactly like one that does not exist. With `lock` (inside a
 * transaction) the round's row is locked: 'update' for closing and publishing, 'share' for a ballot, so
 * every ballot either lands before the close or sees the round closed.
 */
export async function loadRoundAccess(ctx: Ctx, roundId: number, options: { lock?: 'update' | 'share' } = {}): Promise<RoundAccess> {
	if (!validId(roundId)) throw notFound('The round');
	let query = ctx.db.selectFrom('priority_round').selectAll().where('id', '=', roundId);
	if (options.lock === 'update') query = query.forUpdate();
	if (options.lock === 'share') query = query.forShare();
	const round = await query.executeTakeFirst();
	if (!round) throw notFound('The round');
	const groupAccess = await loadGroupAccess(ctx.db, ctx.actor, { id: round.group_id });
	if (!groupAccess) throw new Error(`The group of round ${round.id} is missing.`);
	const { group, membership } = groupAccess;
	const cycle = await findCycleById(ctx.db, round.cycle_id);
	if (!cycle) throw new Error(`The cycle of round ${round.id} is missing.`);
	if (!mayReadRound(ctx.actor, group, membership)) throw notFound('The round');
	return {
		round,
		group,
		cycle,
		membership,
		abilities: roundAbilities(ctx.actor, group, membership, { state: round.state, closesAt: round.closes_at }, ctx.now())
	};
}
