import type { Executor, Tx } from './db/database.ts';
import { unauthenticated } from './errors.ts';

/** Who is acting. `via` tells which door they came through, for the audit log and for token-only limits. */
export interface Actor {
	memberId: number;
	handle: string;
	displayName: string;
	isAdmin: boolean;
	via: 'session' | 'token' | 'cli';
}

/** Who acts for the `caucus` command and the demo seed: the operator at the server's console, as an administrator. */
export const CLI_ACTOR: Actor = { memberId: 0, handle: 'cli', displayName: 'Command line', isAdmin: true, via: 'cli' };

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

/** Throws `unauthenticated` (with `message`, e.g. what signing in would let them do) for visitors; returns the actor otherwise. */
export function requireActor(ctx: Pick<Ctx, 'actor'>, message = 'Sign in first.'): Actor {
	if (!ctx.actor) throw unauthenticated(message);
	return ctx.actor;
}

/** PostgreSQL's deadlock_detected and serialization_failure: the transaction may simply run again. */
function isRetryable(error: unknown): boolean {
	const code = (error as { code?: string } | null)?.code;
	return code === '40P01' || code === '40001';
}

/**
 * `inTransaction` for work that locks rows of several families or modules in an order PostgreSQL may find
 * crossed: run again, up to three times, when PostgreSQL aborts it for a deadlock or a serialization failure.
 * Inside the caller's transaction it simply joins it (the caller then owns the retry).
 */
export async function retryingTransaction<T>(ctx: Ctx, work: (tx: TxCtx) => Promise<T>): Promise<T> {
	if (ctx.db.isTransaction) return work(ctx as TxCtx);
	for (let attempt = 1; ; attempt++) {
		try {
			return await inTransaction(ctx, work);
		} catch (error) {
			if (attempt >= 3 || !isRetryable(error)) throw error;
		}
	}
}
