import { sql, type RawBuilder } from 'kysely';
import { inTransaction, requireActor, retryingTransaction, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import { memberEvidenceChanging } from '#lib/server/platform/hooks.ts';
import { recordActivity } from '#lib/server/platform/activity.ts';
import { conflict, forbidden, invalid, isUniqueViolation, notFound, parseInput, unauthenticated } from '#lib/server/platform/errors.ts';
import { hashPassword, hashSecret, newSecret, spendPasswordTime, verifyPassword } from '#lib/server/platform/auth/secrets.ts';
import { textArray } from '#lib/server/platform/db/sql.ts';
import {
	changePasswordInput,
	deploymentInput,
	deploymentPatchInput,
	deploymentRef,
	profilePatchInput,
	setAdminInput,
	signInInput,
	signUpInput,
	tokenInput,
	tokenRef,
	type ChangePasswordInput,
	type DeploymentInput,
	type DeploymentPatchInput,
	type ProfilePatchInput,
	type SetAdminInput,
	type SignInInput,
	type SignUpInput,
	type TokenInput
} from './members.schemas.ts';
import {
	hasAdministrator,
	findMemberRowByEmail,
	SESSION_DAYS,
	toAccount,
	toActor,
	toApiToken,
	toDeployment,
	toMember,
	type Account,
	type ApiToken,
	type Deployment,
	type Member
} from './members.queries.ts';
import { markSignInSucceeded, reserveSignInAttempt, reserveSignUp } from './members.throttle.ts';
import { requireAdminister, requireCreateToken, requireManageMember } from './members.policy.ts';
import type { MemberRow, Segment } from './members.tables.ts';

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
		if (isUniqueViolation(error, 'member_email_key'))
			throw conflict('That e-mail already has an account.', { email: 'That e-mail already has an account; sign in instead.' });
		if (isUniqueViolation(error, 'member_handle_key')) throw conflict('That handle is taken.', { handle: 'That handle is taken; try another.' });
		throw error;
	}
}

/**
 * Makes an account. From the web (`request.address` given) each valid attempt first counts toward the
 * sign-up throttle of its address (decision 0012); the command line has no address and no throttle.
 */
export async function signUp(ctx: Ctx, input: SignUpInput, request?: { address: string }): Promise<Account> {
	const data = parseInput(signUpInput, input);
	if (request && !(await hasAdministrator(ctx.db))) {
		throw forbidden('This site is not set up yet: its first administrator signs up at /setup.');
	}
	if (request) await reserveSignUp(ctx, request.address);
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
export async function createFirstAdmin(ctx: Ctx, input: SignUpInput): Promise<Account> {
	const data = parseInput(signUpInput, input);
	const passwordHash = await hashPassword(data.password);
	return inTransaction(ctx, async (tx) => {
		await sql`lock table member in share row exclusive mode`.execute(tx.db);
		// Members who signed up before the site was set up (an older version let them) do not close /setup.
		if (await hasAdministrator(tx.db)) throw forbidden('This site already has an administrator; sign in or ask them for access.');
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
		.values({
			id_hash: hashSecret(token),
			member_id: memberId,
			created_at: now,
			last_seen_at: now,
			expires_at: expiresAt,
			user_agent: userAgent?.slice(0, 300) ?? null
		})
		.execute();
	return { token, expiresAt };
}

/**
 * Signs in with e-mail and password. Failed attempts are counted per account and per address over a
 * sliding window. The attempt is counted (as a failure, until its password matches) atomically with the
 * check, before the password is checked: past the limit the attempt is refused without checking it, however
 * many arrive at once and on whichever process (members.throttle.ts).
 */
export async function signIn(
	ctx: Ctx,
	input: SignInInput,
	request: { address: string; userAgent: string | null }
): Promise<{ account: Account; session: NewSession }> {
	const data = parseInput(signInInput, input);
	const attemptId = await reserveSignInAttempt(ctx, { account: data.email, address: request.address });

	const row = await findMemberRowByEmail(ctx.db, data.email);
	const ok = row?.password_hash ? await verifyPassword(row.password_hash, data.password) : (await spendPasswordTime(data.password), false);
	if (!ok || !row) throw invalid({ password: 'That e-mail and password do not match an account.' }, 'That e-mail and password do not match an account.');

	await markSignInSucceeded(ctx, attemptId);
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
export async function changePassword(ctx: Ctx, input: ChangePasswordInput, keepSessionCookie: string | null): Promise<void> {
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

/** How many deployments and live tokens one member may have; the member row is locked while counting. */
export const MAX_DEPLOYMENTS = 50;
export const MAX_TOKENS = 20;

const segmentArray = (segments: readonly Segment[]) => textArray(segments) as RawBuilder<Segment[]>;

/** Locks the member's row, so counts of what they own cannot race. */
async function lockMember(tx: TxCtx, memberId: number): Promise<MemberRow> {
	const row = await tx.db.selectFrom('member').selectAll().where('id', '=', memberId).forUpdate().executeTakeFirst();
	if (!row) throw notFound('Your account');
	return row;
}

/**
 * Changes the acting member's profile. Absent fields stay as they are (the settings form sends all of
 * them). A taken handle is a field error, and nothing changes.
 */
export async function updateProfile(ctx: Ctx, input: ProfilePatchInput): Promise<Account> {
	const actor = requireActor(ctx);
	const data = parseInput(profilePatchInput, input);
	return retryingTransaction(ctx, async (tx) => {
		const current = await lockMember(tx, actor.memberId);
		const next = {
			display_name: data.displayName ?? current.display_name,
			handle: data.handle ?? current.handle,
			organization: data.organization === undefined ? current.organization : data.organization,
			segments: data.segments ?? current.segments,
			bio: data.bio ?? current.bio
		};
		const changed = (Object.keys(next) as (keyof typeof next)[]).filter((key) => JSON.stringify(next[key]) !== JSON.stringify(current[key]));
		if (changed.length === 0) return toAccount(current);
		const fieldNames = { display_name: 'displayName', handle: 'handle', organization: 'organization', segments: 'segments', bio: 'bio' } as const;
		// The needs this member supports count distinct organizations and supporters per segment: recount them in this transaction.
		const recount = changed.includes('organization') || changed.includes('segments') ? await memberEvidenceChanging(tx.db, { memberId: actor.memberId }) : null;
		let row: MemberRow;
		try {
			row = await tx.db
				.updateTable('member')
				.set({ ...next, segments: segmentArray(next.segments), updated_at: tx.now() })
				.where('id', '=', actor.memberId)
				.returningAll()
				.executeTakeFirstOrThrow();
		} catch (error) {
			if (isUniqueViolation(error, 'member_handle_key')) throw conflict('That handle is taken.', { handle: 'That handle is taken; try another.' });
			throw error;
		}
		await recount?.();
		await recordActivity(tx, {
			action: 'member.updated_profile',
			subjectType: 'member',
			subjectId: actor.memberId,
			data: { fields: changed.map((key) => fieldNames[key]), ...(changed.includes('handle') ? { previousHandle: current.handle } : {}) }
		});
		return toAccount(row);
	});
}

/** Adds a deployment to the acting member's profile. */
export async function addDeployment(ctx: Ctx, input: DeploymentInput): Promise<Deployment> {
	const actor = requireActor(ctx);
	const data = parseInput(deploymentInput, input);
	return inTransaction(ctx, async (tx) => {
		await lockMember(tx, actor.memberId);
		const { count } = await tx.db
			.selectFrom('deployment')
			.select((eb) => eb.fn.countAll<number>().as('count'))
			.where('member_id', '=', actor.memberId)
			.executeTakeFirstOrThrow();
		if (Number(count) >= MAX_DEPLOYMENTS) throw conflict(`A member lists at most ${MAX_DEPLOYMENTS} deployments; remove one first.`);
		const now = tx.now();
		const row = await tx.db
			.insertInto('deployment')
			.values({
				member_id: actor.memberId,
				name: data.name,
				nodes: data.nodes,
				instances: data.instances,
				releases: textArray(data.releases),
				components: textArray(data.components),
				region: data.region,
				created_at: now,
				updated_at: now
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		await recordActivity(tx, { action: 'deployment.added', subjectType: 'deployment', subjectId: row.id, data: { name: row.name } });
		return toDeployment(row);
	});
}

/**
 * Reads one of the actor's deployments for a change, locked. Another member's deployment answers as a
 * missing one does, so its number tells nobody that it exists (docs/decisions/0014).
 */
async function ownDeploymentForUpdate(tx: TxCtx, deploymentId: number) {
	const actor = requireActor(tx);
	const row = await tx.db
		.selectFrom('deployment')
		.selectAll()
		.where('id', '=', deploymentId)
		.where('member_id', '=', actor.memberId)
		.forUpdate()
		.executeTakeFirst();
	if (!row) throw notFound('That deployment');
	return row;
}

/** Changes one of the acting member's deployments; absent fields stay as they are. */
export async function updateDeployment(ctx: Ctx, deploymentId: unknown, input: DeploymentPatchInput): Promise<Deployment> {
	requireActor(ctx);
	const { id } = parseInput(deploymentRef, { id: deploymentId });
	const data = parseInput(deploymentPatchInput, input);
	return retryingTransaction(ctx, async (tx) => {
		const current = await ownDeploymentForUpdate(tx, id);
		const next = {
			name: data.name ?? current.name,
			nodes: data.nodes === undefined ? current.nodes : data.nodes,
			instances: data.instances === undefined ? current.instances : data.instances,
			releases: data.releases ?? current.releases,
			components: data.components ?? current.components,
			region: data.region === undefined ? current.region : data.region
		};
		const changed = (Object.keys(next) as (keyof typeof next)[]).filter((key) => JSON.stringify(next[key]) !== JSON.stringify(current[key]));
		if (changed.length === 0) return toDeployment(current);
		// The needs it is evidence for sum its nodes and instances: recount them in this transaction.
		const recount = changed.includes('nodes') || changed.includes('instances') ? await memberEvidenceChanging(tx.db, { deploymentId: id }) : null;
		const row = await tx.db
			.updateTable('deployment')
			.set({ ...next, releases: textArray(next.releases), components: textArray(next.components), updated_at: tx.now() })
			.where('id', '=', id)
			.returningAll()
			.executeTakeFirstOrThrow();
		await recount?.();
		await recordActivity(tx, { action: 'deployment.updated', subjectType: 'deployment', subjectId: id, data: { name: row.name, fields: changed } });
		return toDeployment(row);
	});
}

/** Removes one of the acting member's deployments. */
export async function removeDeployment(ctx: Ctx, deploymentId: unknown): Promise<void> {
	requireActor(ctx);
	const { id } = parseInput(deploymentRef, { id: deploymentId });
	await retryingTransaction(ctx, async (tx) => {
		const current = await ownDeploymentForUpdate(tx, id);
		// Found before the delete (which clears the supports' evidence): the needs it was evidence for.
		const recount = await memberEvidenceChanging(tx.db, { deploymentId: id });
		await tx.db.deleteFrom('deployment').where('id', '=', id).execute();
		await recount();
		await recordActivity(tx, { action: 'deployment.removed', subjectType: 'deployment', subjectId: id, data: { name: current.name } });
	});
}

export interface NewApiToken {
	token: ApiToken;
	/** The whole secret: shown to its owner once, never stored. */
	secret: string;
}

const TOKEN_PREFIX = 'cau_';
/** How much of the secret is kept in clear so its owner can tell tokens apart: the marker and 4 random characters. */
const SHOWN_PREFIX_LENGTH = TOKEN_PREFIX.length + 4;

/** Creates a personal API token for the acting member. Only its SHA-256 is stored. */
export async function createToken(ctx: Ctx, input: TokenInput): Promise<NewApiToken> {
	const actor = requireActor(ctx);
	requireCreateToken(actor, actor.memberId);
	const data = parseInput(tokenInput, input);
	return inTransaction(ctx, async (tx) => {
		await lockMember(tx, actor.memberId);
		const { count } = await tx.db
			.selectFrom('api_token')
			.select((eb) => eb.fn.countAll<number>().as('count'))
			.where('member_id', '=', actor.memberId)
			.where('revoked_at', 'is', null)
			.executeTakeFirstOrThrow();
		if (Number(count) >= MAX_TOKENS)
			throw conflict(`A member has at most ${MAX_TOKENS} API tokens; revoke one first.`, { name: `You have ${MAX_TOKENS} tokens; revoke one first.` });
		const secret = newSecret(TOKEN_PREFIX);
		const row = await tx.db
			.insertInto('api_token')
			.values({
				member_id: actor.memberId,
				name: data.name,
				token_hash: hashSecret(secret),
				prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
				created_at: tx.now(),
				last_used_at: null,
				revoked_at: null
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		await recordActivity(tx, { action: 'api_token.created', subjectType: 'api_token', subjectId: row.id, data: { name: row.name, prefix: row.prefix } });
		return { token: toApiToken(row), secret };
	});
}

/** Revokes one of the acting member's tokens; it stops working at once. */
export async function revokeToken(ctx: Ctx, tokenId: unknown): Promise<ApiToken> {
	requireActor(ctx);
	const { id } = parseInput(tokenRef, { id: tokenId });
	return inTransaction(ctx, async (tx) => {
		const current = await tx.db.selectFrom('api_token').selectAll().where('id', '=', id).where('revoked_at', 'is', null).forUpdate().executeTakeFirst();
		if (!current) throw notFound('That API token');
		requireManageMember(tx.actor, current.member_id, 'Only the member who made a token may revoke it.');
		await tx.db.updateTable('api_token').set({ revoked_at: tx.now() }).where('id', '=', id).execute();
		await recordActivity(tx, { action: 'api_token.revoked', subjectType: 'api_token', subjectId: id, data: { name: current.name, prefix: current.prefix } });
		return toApiToken(current);
	});
}

/**
 * Grants or revokes the admin role. Every admin row is locked first, in id order, so two admins
 * revoking each other at once cannot leave the site without one.
 */
export async function setAdmin(ctx: Ctx, input: SetAdminInput): Promise<Member> {
	const actor = requireAdminister(ctx.actor);
	const data = parseInput(setAdminInput, input);
	return inTransaction(ctx, async (tx) => {
		const admins = await tx.db.selectFrom('member').select('id').where('is_admin', '=', true).orderBy('id').forUpdate().execute();
		// A member's role was read when the request began; it must still hold now. The command line acts
		// as the owner of the machine, not as a member row, so there is nothing of it to re-read.
		if (actor.via !== 'cli' && !admins.some((a) => a.id === actor.memberId)) throw forbidden('Only administrators may do that.');
		const target = await tx.db
			.selectFrom('member')
			.selectAll()
			.where((eb) => eb(eb.fn('lower', ['handle']), '=', data.handle))
			.forUpdate()
			.executeTakeFirst();
		if (!target) throw notFound('That member');
		if (target.is_admin === data.isAdmin) return toMember(target);
		if (!data.isAdmin && admins.length <= 1) {
			throw conflict('This is the last administrator; make someone else an administrator first.', { isAdmin: 'The site needs at least one administrator.' });
		}
		const row = await tx.db
			.updateTable('member')
			.set({ is_admin: data.isAdmin, updated_at: tx.now() })
			.where('id', '=', target.id)
			.returningAll()
			.executeTakeFirstOrThrow();
		await recordActivity(tx, {
			action: data.isAdmin ? 'member.granted_admin' : 'member.revoked_admin',
			subjectType: 'member',
			subjectId: target.id,
			data: { handle: target.handle }
		});
		return toMember(row);
	});
}
