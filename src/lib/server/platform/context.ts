import type { Executor, Tx } from './db/database.ts';

/** Who is acting. `via` tells which door they came through, for the audit log and for token-only limits. */
export interface Actor {
	memberId: number;
	handle: string;
	displayName: string;
	isAdmin: boolean;
	via: 'session' | 'token' | 'cli';
}

/** What every command and query receives: where to read and write, who acts, and what time it is. */
export interface Ctx {
	db: Executor;
	actor: Actor | null;
	now: () => Date;
}

export interface TxCtx extends Ctx {
	db: Tx;
}

export const systemClock = () => new Date();

/** Runs `work` in a transaction, joining the caller's if there already is one. */
export async function inTransaction<T>(ctx: Ctx, work: (ctx: TxCtx) => Promise<T>): Promise<T> {
	if (ctx.db.isTransaction) return work(ctx as TxCtx);
	return ctx.db.transaction().execute((tx) => work({ ...ctx, db: tx }));
}
