import type { Generated, Selectable } from 'kysely';
import type { TxCtx } from './context.ts';
import { jsonb } from './db/sql.ts';

export interface ActivityTable {
	id: Generated<number>;
	at: Date;
	actor_id: number | null;
	action: string;
	subject_type: string;
	subject_id: number | null;
	/** Set when the subject belongs to a group, so closed groups' activity stays with their members. */
	group_id: number | null;
	data: Generated<Record<string, unknown>>;
}
export type Activity = Selectable<ActivityTable>;

/** Records an event in the same transaction as the change it describes. */
export async function recordActivity(
	ctx: TxCtx,
	event: { action: string; subjectType: string; subjectId: number | null; groupId?: number | null; data?: Record<string, unknown> }
): Promise<void> {
	const row = {
		at: ctx.now(),
		// The command line acts without an account; its events say so instead of naming a member.
		actor_id: ctx.actor && ctx.actor.via !== 'cli' ? ctx.actor.memberId : null,
		action: event.action,
		subject_type: event.subjectType,
		subject_id: event.subjectId,
		group_id: event.groupId ?? null,
		data: jsonb(ctx.actor?.via === 'cli' ? { ...event.data, via: 'cli' } : (event.data ?? {}))
	};
	await ctx.db.insertInto('activity').values(row).execute();
}
