import { error, redirect } from '@sveltejs/kit';
import { config } from '#lib/server/platform/config.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { safeNext, setSessionCookie } from '#lib/server/platform/http/session-cookie.ts';
import { signOut, startSession } from '#lib/server/modules/members/index.ts';
import { completeOidcSignIn, OidcSignInError } from '#lib/server/modules/members/index.ts';
import { signInPageWith, takeFlow } from '../flow-cookie.server.ts';
import type { RequestHandler } from './$types';

/** Where the provider sends the browser back: check its answer, find or make the member, start a session. */
export const GET: RequestHandler = async (event) => {
	const { url, cookies, locals, request } = event;
	if (!config().oidc) error(404, 'Sign-in with an OpenID Connect provider is not set up on this site.');
	const kept = takeFlow(cookies);
	const next = safeNext(kept?.next);
	const ctx = await ctxOf(event);

	let memberId: number;
	try {
		({ memberId } = await completeOidcSignIn(ctx, { currentUrl: url, expected: kept }));
	} catch (caught) {
		if (!(caught instanceof AppError)) throw caught;
		const reason = caught instanceof OidcSignInError ? caught.reason : 'failed';
		locals.log.warn({ err: caught.cause ?? caught, reason }, 'OpenID Connect sign-in refused');
		redirect(303, signInPageWith(reason, next));
	}

	// Signing in as someone while signed in as someone else ends the earlier session.
	if (locals.sessionToken) await signOut(ctx, locals.sessionToken);
	const session = await startSession(ctx, memberId, request.headers.get('user-agent'));
	setSessionCookie(cookies, session.token, session.expiresAt);
	redirect(303, next);
};
