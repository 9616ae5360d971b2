import { sql } from 'kysely';
import { config } from '#lib/server/platform/config.ts';
import { inTransaction, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import { rateLimited } from '#lib/server/platform/errors.ts';

/**
 * The sign-in and sign-up limits. Their state lives in the database, so they hold across worker processes
 * and instances. Each limit is checked and counted atomically: a transaction takes a transaction-scoped
 * advisory lock on the key it counts (the account, the address), counts the attempts in the window and
 * records this one before anything slow happens (the password check, the password hash). Two requests for
 * the same key therefore count one after the other, and the one past the limit is refused without its
 * password ever being checked. The lock is held for two short statements, never across the password work.
 */

/** Advisory lock namespaces (the first half of a two-key advisory lock), one per kind of key. */
const LOCK_SIGN_IN_ACCOUNT = 0x5349_0001;
const LOCK_SIGN_IN_ADDRESS = 0x5349_0002;
const LOCK_SIGN_UP_ADDRESS = 0x5355_0001;

/** Waits for the advisory lock on (namespace, key) until the transaction ends; a hash collision only serialises more. */
async function lockKey(tx: TxCtx, namespace: number, key: string): Promise<void> {
	await sql`select pg_advisory_xact_lock(${sql.lit(namespace)}::int4, hashtext(${key}))`.execute(tx.db);
}

/** Addresses are shared (offices, NAT), so they get more room than a single account. */
export const ADDRESS_FACTOR = 4;

export const signInLockedMessage = (windowMinutes: number) =>
	`Too many failed sign-in attempts. Wait ${windowMinutes} minutes and try again, or ask an administrator for a reset link.`;

/**
 * Records a sign-in attempt as failed before its password is checked, or refuses it when the account or
 * the address already has too many failures in the window. Returns the attempt's id, which the caller
 * marks as succeeded when the password matches. Locks are taken account first, then address, in every
 * transaction, so two sign-ins cannot wait for each other.
 */
export async function reserveSignInAttempt(ctx: Ctx, attempt: { account: string; address: string }): Promise<number> {
	const { maxAttempts, windowMinutes } = config().signIn;
	return inTransaction(ctx, async (tx) => {
		await lockKey(tx, LOCK_SIGN_IN_ACCOUNT, attempt.account);
		await lockKey(tx, LOCK_SIGN_IN_ADDRESS, attempt.address);
		const since = new Date(tx.now().getTime() - windowMinutes * 60_000);
		const failures = await tx.db
			.selectFrom('sign_in_attempt')
			.select((eb) => [
				eb.fn.sum<number>(eb.case().when('account', '=', attempt.account).then(1).else(0).end()).as('account'),
				eb.fn.sum<number>(eb.case().when('address', '=', attempt.address).then(1).else(0).end()).as('address')
			])
			.where('succeeded', '=', false)
			.where('at', '>', since)
			.where((eb) => eb.or([eb('account', '=', attempt.account), eb('address', '=', attempt.address)]))
			.executeTakeFirstOrThrow();
		if (Number(failures.account ?? 0) >= maxAttempts || Number(failures.address ?? 0) >= maxAttempts * ADDRESS_FACTOR) {
			throw rateLimited(signInLockedMessage(windowMinutes));
		}
		const row = await tx.db
			.insertInto('sign_in_attempt')
			.values({ account: attempt.account, address: attempt.address, succeeded: false, at: tx.now() })
			.returning('id')
			.executeTakeFirstOrThrow();
		return Number(row.id);
	});
}

/** The password matched: the attempt no longer counts as a failure. */
export async function markSignInSucceeded(ctx: Ctx, attemptId: number): Promise<void> {
	await ctx.db.updateTable('sign_in_attempt').set({ succeeded: true }).where('id', '=', attemptId).execute();
}

/**
 * Counts a sign-up from this address, or refuses it when the address has made `CAUCUS_SIGNUP_MAX_PER_ADDRESS`
 * attempts in the window. Every attempt that passed validation counts, made or refused (a taken e-mail or
 * handle), so the throttle also slows probing which e-mails have accounts.
 */
export async function reserveSignUp(ctx: Ctx, address: string): Promise<void> {
	const { maxPerAddress, windowMinutes } = config().signUp;
	await inTransaction(ctx, async (tx) => {
		await lockKey(tx, LOCK_SIGN_UP_ADDRESS, address);
		const since = new Date(tx.now().getTime() - windowMinutes * 60_000);
		const { count } = await tx.db
			.selectFrom('sign_up_attempt')
			.select((eb) => eb.fn.countAll<number>().as('count'))
			.where('address', '=', address)
			.where('at', '>', since)
			.executeTakeFirstOrThrow();
		if (Number(count) >= maxPerAddress) {
			throw rateLimited(`Too many accounts were made from your network recently. Try again in ${windowMinutes} minutes, or ask an administrator.`);
		}
		await tx.db.insertInto('sign_up_attempt').values({ address, at: tx.now() }).execute();
	});
}
