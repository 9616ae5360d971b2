import type { Generated, Selectable } from 'kysely';
import type { Ctx, TxCtx } from './context.ts';
import { jsonb } from './db/sql.ts';

export interface NotificationTable {
	id: Generated<number>;
	member_id: number;
	kind: string;
	subject_type: string;
	subject_id: number | null;
	data: Generated<Record<string, unknown>>;
	created_at: Date;
	read_at: Date | null;
}
export type NotificationRow = Selectable<NotificationTable>;

/** A notification as the member reads it. */
export interface NotificationRecord {
	id: number;
	kind: string;
	subjectType: string;
	subjectId: number | null;
	data: Record<string, unknown>;
	createdAt: Date;
	readAt: Date | null;
}

/**
 * Records one notification per member, in the caller's transaction. Delivery (the page, e-mail, digests)
 * reads these records later, so nothing is lost if a mail server is down.
 */
export async function notify(
	ctx: TxCtx,
	memberIds: readonly number[],
	notification: { kind: string; subjectType: string; subjectId: number | null; data?: Record<string, unknown> }
): Promise<void> {
	const unique = [...new Set(memberIds)];
	if (!unique.length) return;
	for (let i = 0; i < unique.length; i += 1000) {
		await ctx.db
			.insertInto('notification')
			.values(
				unique.slice(i, i + 1000).map((memberId) => ({
					member_id: memberId,
					kind: notification.kind,
					subject_type: notification.subjectType,
					subject_id: notification.subjectId,
					data: jsonb(notification.data ?? {}),
					created_at: ctx.now()
				}))
			)
			.execute();
	}
}

export async function listNotifications(ctx: Ctx, memberId: number, limit = 50): Promise<NotificationRow[]> {
	return ctx.db
		.selectFrom('notification')
		.selectAll()
		.where('member_id', '=', memberId)
		.orderBy('created_at', 'desc')
		.orderBy('id', 'desc')
		.limit(limit)
		.execute();
}
