import { error, redirect } from '@sveltejs/kit';
import { config } from '#lib/server/platform/config.ts';
import { safeNext } from '#lib/server/platform/http/session-cookie.ts';
import { OidcSignInError, startOidcSignIn } from '#lib/server/modules/members/index.ts';
import { keepFlow, signInPageWith } from './flow-cookie.server.ts';
import type { RequestHandler } from './$types';

/** Sends the browser to the OpenID Connect provider, keeping what the callback needs to check its answer. */
export const GET: RequestHandler = async ({ url, cookies, locals }) => {
	if (!config().oidc) error(404, 'Sign-in with an OpenID Connect provider is not set up on this site.');
	const next = safeNext(url.searchParams.get('next'));
	if (locals.actor) redirect(303, next);

	let started: Awaited<ReturnType<typeof startOidcSignIn>>;
	try {
		started = await startOidcSignIn({ redirectUri: `${url.origin}/signin/oidc/callback` });
	} catch (caught) {
		if (!(caught instanceof OidcSignInError)) throw caught;
		locals.log.warn({ err: caught.cause ?? caught, reason: caught.reason }, 'OpenID Connect sign-in could not start');
		redirect(303, signInPageWith(caught.reason, next));
	}
	keepFlow(cookies, { state: started.state, nonce: started.nonce, codeVerifier: started.codeVerifier, next });
	// The provider's authorization endpoint, from its discovery document: the one external place this route sends to.
	redirect(303, started.url.href, { external: true });
};
