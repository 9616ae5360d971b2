import { inTransaction, type Ctx } from '#lib/server/platform/context.ts';
import { recordActivity } from '#lib/server/platform/activity.ts';
import { AppError, forbidden, notFound, parseInput } from '#lib/server/platform/errors.ts';
import { hashPassword, hashSecret, newSecret } from '#lib/server/platform/auth/secrets.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { resetLinkInput, resetPasswordInput, type ResetLinkInput, type ResetPasswordInput } from './members.schemas.ts';
import { toActor, toMember, type Member } from './members.queries.ts';
import { requireIssueResetLink } from './members.policy.ts';

/**
 * Password reset by a one-time link an administrator issues and passes on (decision 0012): Caucus sends no
 * mail yet. The link carries a random token; only its SHA-256 is stored, with an expiry; it works once, and
 * issuing a new one for the same member retires the earlier ones.
 */

/** How long a reset link works. */
export const RESET_LINK_HOURS = 24;
const RESET_PREFIX = 'rst_';

export interface IssuedResetLink {
	member: Member;
	/** The whole token, shown once to the administrator; never stored. */
	token: string;
	/** Where the member sets their password: `/reset/<token>`, to put after the site's origin. */
	path: string;
	expiresAt: Date;
}

export async function issueResetLink(ctx: Ctx, input: ResetLinkInput): Promise<IssuedResetLink> {
	const actor = requireIssueResetLink(ctx.actor);
	const data = parseInput(resetLinkInput, input);
	return inTransaction(ctx, async (tx) => {
		// The role was read when the request began; it must still hold now (the command line has no member row).
		if (actor.via !== 'cli') {
			const me = await tx.db.selectFrom('member').select('is_admin').where('id', '=', actor.memberId).executeTakeFirst();
			if (!me?.is_admin) throw forbidden('Only administrators may do that.');
		}
		const target = await tx.db
			.selectFrom('member')
			.selectAll()
			.where((eb) => eb(eb.fn('lower', ['handle']), '=', data.handle))
			.forUpdate()
			.executeTakeFirst();
		if (!target) throw notFound('That member');
		const now = tx.now();
		// One live link per member: a new one retires the earlier ones.
		await tx.db.updateTable('password_reset_link').set({ used_at: now }).where('member_id', '=', target.id).where('used_at', 'is', null).execute();
		const token = newSecret(RESET_PREFIX);
		const expiresAt = new Date(now.getTime() + RESET_LINK_HOURS * 3_600_000);
		await tx.db
			.insertInto('password_reset_link')
			.values({
				member_id: target.id,
				token_hash: hashSecret(token),
				issued_by: actor.via === 'cli' ? null : actor.memberId,
				created_at: now,
				expires_at: expiresAt,
				used_at: null
			})
			.execute();
		await recordActivity(tx, {
			action: 'member.reset_link_issued',
			subjectType: 'member',
			subjectId: target.id,
			data: { handle: target.handle, expiresAt: expiresAt.toISOString() }
		});
		return { member: toMember(target), token, path: `/reset/${token}`, expiresAt };
	});
}

export type ResetLinkState = { state: 'valid'; handle: string; displayName: string; expiresAt: Date } | { state: 'unknown' | 'used' | 'expired' };

/** What a reset link is now; a token that is not ours, used or expired says which, so the page can say so. */
export async function resetLinkState(db: Executor, token: string, now: Date): Promise<ResetLinkState> {
	if (!token.startsWith(RESET_PREFIX) || token.length > 100) return { state: 'unknown' };
	const row = await db
		.selectFrom('password_reset_link')
		.innerJoin('member', 'member.id', 'password_reset_link.member_id')
		.select(['member.handle', 'member.display_name', 'password_reset_link.expires_at', 'password_reset_link.used_at'])
		.where('password_reset_link.token_hash', '=', hashSecret(token))
		.executeTakeFirst();
	if (!row) return { state: 'unknown' };
	if (row.used_at) return { state: 'used' };
	if (row.expires_at.getTime() <= now.getTime()) return { state: 'expired' };
	return { state: 'valid', handle: row.handle, displayName: row.display_name, expiresAt: row.expires_at };
}

/** The message for a link that does not work, the same on the page and in the error. */
export function resetLinkProblem(state: 'unknown' | 'used' | 'expired'): string {
	switch (state) {
		case 'used':
			return 'This reset link has already been used. Ask an administrator for a new one.';
		case 'expired':
			return `This reset link has expired (links work for ${RESET_LINK_HOURS} hours). Ask an administrator for a new one.`;
		default:
			return 'This reset link is not valid. Check that you copied the whole link, or ask an administrator for a new one.';
	}
}

/**
 * Sets a new password with a reset link: the same rules as sign-up. The link is spent, every session of the
 * member ends (whoever held the old password is signed out) and their failed sign-ins are forgotten, so a
 * locked-out member can sign in at once.
 */
export async function resetPassword(ctx: Ctx, token: string, input: ResetPasswordInput): Promise<Member> {
	const data = parseInput(resetPasswordInput, input);
	const before = await resetLinkState(ctx.db, token, ctx.now());
	if (before.state !== 'valid') throw linkError(before.state);
	const passwordHash = await hashPassword(data.password);
	return inTransaction(ctx, async (tx) => {
		const link = await tx.db.selectFrom('password_reset_link').selectAll().where('token_hash', '=', hashSecret(token)).forUpdate().executeTakeFirst();
		// Checked again under the lock: of two uses at once, one wins.
		if (!link) throw linkError('unknown');
		if (link.used_at) throw linkError('used');
		if (link.expires_at.getTime() <= tx.now().getTime()) throw linkError('expired');
		const now = tx.now();
		await tx.db.updateTable('password_reset_link').set({ used_at: now }).where('id', '=', link.id).execute();
		const row = await tx.db
			.updateTable('member')
			.set({ password_hash: passwordHash, updated_at: now })
			.where('id', '=', link.member_id)
			.returningAll()
			.executeTakeFirstOrThrow();
		await tx.db.deleteFrom('session').where('member_id', '=', row.id).execute();
		await tx.db.deleteFrom('sign_in_attempt').where('account', '=', row.email.toLowerCase()).where('succeeded', '=', false).execute();
		await recordActivity({ ...tx, actor: toActor(row, 'session') }, { action: 'member.reset_password', subjectType: 'member', subjectId: row.id });
		return toMember(row);
	});
}

const linkError = (state: 'unknown' | 'used' | 'expired') =>
	state === 'unknown' ? new AppError('not_found', resetLinkProblem(state)) : new AppError('conflict', resetLinkProblem(state));
