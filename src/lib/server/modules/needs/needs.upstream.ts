import { recordActivity } from '#lib/server/platform/activity.ts';
import type { TxCtx } from '#lib/server/platform/context.ts';
import type { NeedStatus } from './needs.tables.ts';
import { toNeed, type Need } from './needs.model.ts';
import { lockNeeds } from './needs.supports.ts';

/*
 * The one door through which the handoff module moves a need's status for upstream reasons (handed to a
 * tracker, in progress there, delivered, declined upstream). Triage refuses these statuses; here they
 * are written with the same history row and audit entry a triage change gets. The caller holds the
 * transaction and has already decided the move is right.
 */

export const UPSTREAM_TARGETS: readonly NeedStatus[] = ['handed_upstream', 'in_progress', 'delivered', 'declined'];

/**
 * Moves `needId` to `to` with `reason`, writing need_status_change and the `need.status_changed` activity
 * (data.upstream = true). Returns the updated need, or null when nothing changed: the need already has that
 * status, or it is merged into another need (a duplicate's status follows its merge, not a tracker).
 */
export async function moveNeedForUpstream(tx: TxCtx, needId: number, to: NeedStatus, reason: string): Promise<Need | null> {
	if (!UPSTREAM_TARGETS.includes(to)) throw new Error(`${to} is not a status the upstream sync sets.`);
	const need = (await lockNeeds(tx.db, [needId])).get(needId)!;
	if (need.status === to || need.status === 'duplicate') return null;
	const row = await tx.db
		.updateTable('need')
		.set({ status: to, status_reason: reason, updated_at: tx.now() })
		.where('id', '=', needId)
		.returningAll()
		.executeTakeFirstOrThrow();
	await tx.db
		.insertInto('need_status_change')
		.values({
			need_id: needId,
			from_status: need.status,
			to_status: to,
			reason,
			actor_id: tx.actor && tx.actor.via !== 'cli' ? tx.actor.memberId : null,
			at: tx.now()
		})
		.execute();
	await recordActivity(tx, {
		action: 'need.status_changed',
		subjectType: 'need',
		subjectId: needId,
		groupId: need.group_id,
		data: { from: need.status, to, reason, upstream: true }
	});
	return toNeed(row);
}
