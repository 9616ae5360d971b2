import { sql } from 'kysely';
import { config } from '#lib/server/platform/config.ts';
import { inTransaction, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import { recordActivity } from '#lib/server/platform/activity.ts';
import { conflict, forbidden, invalid, isUniqueViolation, parseInput, rateLimited, unauthenticated } from '#lib/server/platform/errors.ts';
import { hashPassword, hashSecret, newSecret, spendPasswordTime, verifyPassword } from '#lib/server/platform/auth/secrets.ts';
import { changePasswordInput, signInInput, signUpInput } from './members.schemas.ts';
import { countMembers, findMemberRowByEmail, SESSION_DAYS, toAccount, toActor, type Account } from './members.queries.ts';
import type { MemberRow } from './members.tables.ts';

export interface NewSession {
	/** The cookie value; only its hash is stored. */
	token: string;
	expiresAt: Date;
}

/** Inserts a member, turning unique violations into field errors; shared by every way an account is made. */
export async function insertMember(
	ctx: TxCtx,
	values: { email: string; handle: string; displayName: string; passwordHash: string | null; emailVerified?: boolean; isAdmin?: boolean }
): Promise<MemberRow> {
	const now = ctx.now();
	try {
		return await ctx.db
			.insertInto('member')
			.values({
				email: values.email,
				handle: values.handle,
				display_name: values.displayName,
				password_hash: values.passwordHash,
				email_verified: values.emailVerified ?? false,
				is_admin: values.isAdmin ?? false,
				created_at: now,
				updated_at: now
			})
			.returningAll()
			.executeTakeFirstOrThrow();
	} catch (error) {
		if (isUniqueViolation(error, 'member_email_key')) throw conflict('That e-mail already has an account.', { email: 'That e-mail already has an account; sign in instead.' });
		if (isUniqueViolation(error, 'member_handle_key')) throw conflict('That handle is taken.', { handle: 'That handle is taken; try another.' });
		throw error;
	}
}

export async function signUp(ctx: Ctx, input: unknown): Promise<Account> {
	const data = parseInput(signUpInput, input);
	const passwordHash = await hashPassword(data.password);
	return inTransaction(ctx, async (tx) => {
		const row = await insertMember(tx, { ...data, passwordHash });
		await recordActivity({ ...tx, actor: toActor(row, 'session') }, { action: 'member.signed_up', subjectType: 'member', subjectId: row.id });
		return toAccount(row);
	});
}

/**
 * Creates the first administrator of an empty site. The table lock makes two visitors racing
 * for the empty site end with one administrator, not two.
 */
export async function createFirstAdmin(ctx: Ctx, input: unknown): Promise<Account> {
	const data = parseInput(signUpInput, input);
	const passwordHash = await hashPassword(data.password);
	return inTransaction(ctx, async (tx) => {
		await sql`lock table member in share row exclusive mode`.execute(tx.db);
		if ((await countMembers(tx.db)) > 0) throw forbidden('This site already has an administrator; sign in or ask them for access.');
		const row = await insertMember(tx, { ...data, passwordHash, isAdmin: true });
		await recordActivity({ ...tx, actor: toActor(row, 'session') }, { action: 'member.created_first_admin', subjectType: 'member', subjectId: row.id });
		return toAccount(row);
	});
}

export async function startSession(ctx: Ctx, memberId: number, userAgent: string | null): Promise<NewSession> {
	const token = newSecret();
	const now = ctx.now();
	const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000);
	await ctx.db
		.insertInto('session')
		.values({ id_hash: hashSecret(token), member_id: memberId, created_at: now, last_seen_at: now, expires_at: expiresAt, user_agent: userAgent?.slice(0, 300) ?? null })
		.execute();
	return { token, expiresAt };
}

/**
 * Signs in with e-mail and password. Failed attempts are counted per account and per address over a
 * sliding window; past the limit the attempt is refused before the password is even checked.
 */
export async function signIn(
	ctx: Ctx,
	input: unknown,
	request: { address: string; userAgent: string | null }
): Promise<{ account: Account; session: NewSession }> {
	const data = parseInput(signInInput, input);
	const { maxAttempts, windowMinutes } = config().signIn;
	const since = new Date(ctx.now().getTime() - windowMinutes * 60_000);
	const failures = await ctx.db
		.selectFrom('sign_in_attempt')
		.select((eb) => [
			eb.fn.sum<number>(eb.case().when('account', '=', data.email).then(1).else(0).end()).as('account'),
			eb.fn.sum<number>(eb.case().when('address', '=', request.address).then(1).else(0).end()).as('address')
		])
		.where('succeeded', '=', false)
		.where('at', '>', since)
		.where((eb) => eb.or([eb('account', '=', data.email), eb('address', '=', request.address)]))
		.executeTakeFirstOrThrow();
	// Addresses are shared (offices, NAT), so they get more room than a single account.
	if (Number(failures.account ?? 0) >= maxAttempts || Number(failures.address ?? 0) >= maxAttempts * 4) {
		throw rateLimited(`Too many failed sign-in attempts. Wait ${windowMinutes} minutes and try again, or reset your password.`);
	}

	const row = await findMemberRowByEmail(ctx.db, data.email);
	const ok = row?.password_hash ? await verifyPassword(row.password_hash, data.password) : (await spendPasswordTime(data.password), false);
	await ctx.db.insertInto('sign_in_attempt').values({ account: data.email, address: request.address, succeeded: ok, at: ctx.now() }).execute();
	if (!ok || !row) throw invalid({ password: 'That e-mail and password do not match an account.' }, 'That e-mail and password do not match an account.');

	const session = await startSession(ctx, row.id, request.userAgent);
	return { account: toAccount(row), session };
}

export async function signOut(ctx: Ctx, cookieValue: string): Promise<void> {
	await ctx.db.deleteFrom('session').where('id_hash', '=', hashSecret(cookieValue)).execute();
}

/** Ends every session of the acting member, this one included. */
export async function signOutEverywhere(ctx: Ctx): Promise<number> {
	if (!ctx.actor) throw unauthenticated();
	const actor = ctx.actor;
	return inTransaction(ctx, async (tx) => {
		const result = await tx.db.deleteFrom('session').where('member_id', '=', actor.memberId).executeTakeFirst();
		await recordActivity(tx, { action: 'member.signed_out_everywhere', subjectType: 'member', subjectId: actor.memberId });
		return Number(result.numDeletedRows);
	});
}

/** Changes the password and ends every other session, since a password change usually means a worry. */
export async function changePassword(ctx: Ctx, input: unknown, keepSessionCookie: string | null): Promise<void> {
	if (!ctx.actor) throw unauthenticated();
	const actor = ctx.actor;
	const data = parseInput(changePasswordInput, input);
	const row = await ctx.db.selectFrom('member').select('password_hash').where('id', '=', actor.memberId).executeTakeFirstOrThrow();
	if (row.password_hash && !(await verifyPassword(row.password_hash, data.currentPassword))) {
		throw invalid({ currentPassword: 'That is not your current password.' });
	}
	const passwordHash = await hashPassword(data.newPassword);
	await inTransaction(ctx, async (tx) => {
		await tx.db.updateTable('member').set({ password_hash: passwordHash, updated_at: tx.now() }).where('id', '=', actor.memberId).execute();
		let others = tx.db.deleteFrom('session').where('member_id', '=', actor.memberId);
		if (keepSessionCookie) others = others.where('id_hash', '!=', hashSecret(keepSessionCookie));
		await others.execute();
		await recordActivity(tx, { action: 'member.changed_password', subjectType: 'member', subjectId: actor.memberId });
	});
}
