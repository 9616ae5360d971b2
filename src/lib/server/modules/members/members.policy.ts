import { requireActor, type Actor } from '#lib/server/platform/context.ts';
import { forbidden } from '#lib/server/platform/errors.ts';

/**
 * Who may do what with members, as small pure functions over the actor. Commands call them (through
 * the `require…` helpers, which throw the matching error); pages may call them to decide what to show.
 */

/** A member manages their own profile, deployments and tokens; nobody else does, admins included. */
export const mayManageMember = (actor: Actor | null, memberId: number): boolean => actor !== null && actor.memberId === memberId;

/** Site administration: roles, the audit log, the member list with e-mails. */
export const mayAdminister = (actor: Actor | null): boolean => actor?.isAdmin === true;

/**
 * A new API token is made by a person, from a signed-in session (or the command line), not by another
 * token: otherwise a leaked token could mint its successors and outlive its own revocation.
 */
export const mayCreateToken = (actor: Actor | null, memberId: number): boolean => mayManageMember(actor, memberId) && actor!.via !== 'token';

/**
 * A password reset link lets whoever holds it take over the account, so an administrator issues one from a
 * signed-in session or the command line, never with an API token (a leaked token must not open accounts).
 */
export const mayIssueResetLink = (actor: Actor | null): boolean => mayAdminister(actor) && actor!.via !== 'token';

export function requireManageMember(actor: Actor | null, memberId: number, what = 'That belongs to another member.'): Actor {
	const who = requireActor({ actor });
	if (!mayManageMember(who, memberId)) throw forbidden(what);
	return who;
}

export function requireAdminister(actor: Actor | null): Actor {
	const who = requireActor({ actor });
	if (!mayAdminister(who)) throw forbidden('Only administrators may do that.');
	return who;
}

export function requireCreateToken(actor: Actor | null, memberId: number): Actor {
	const who = requireManageMember(actor, memberId);
	if (!mayCreateToken(who, memberId)) throw forbidden('Create API tokens from a signed-in session, not with another token.');
	return who;
}

export function requireIssueResetLink(actor: Actor | null): Actor {
	const who = requireAdminister(actor);
	if (!mayIssueResetLink(who)) throw forbidden('Issue reset links from a signed-in session or the command line, not with an API token.');
	return who;
}
