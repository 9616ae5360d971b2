import type { Cookies } from '@sveltejs/kit';
import { config } from '#lib/server/platform/config.ts';
import type { OidcFailure, OidcFlow } from '#lib/server/modules/members/index.ts';

/**
 * The browser keeps the state, nonce and PKCE verifier of its sign-in (and where to go afterwards) for ten minutes,
 * in a cookie only the two OpenID Connect routes see. SameSite=Lax still sends it on the provider's top-level
 * redirect back to the callback.
 */
const FLOW_COOKIE = 'caucus_oidc';
const PATH = '/signin/oidc';

export interface KeptFlow extends OidcFlow {
	next: string;
}

export function keepFlow(cookies: Cookies, flow: KeptFlow): void {
	const value = JSON.stringify({ state: flow.state, nonce: flow.nonce, codeVerifier: flow.codeVerifier, next: flow.next });
	cookies.set(FLOW_COOKIE, value, { path: PATH, httpOnly: true, sameSite: 'lax', secure: config().secureCookies, maxAge: 600 });
}

/** The kept flow, or null when there is none (expired, another browser) or it is not what `keepFlow` wrote. */
export function takeFlow(cookies: Cookies): KeptFlow | null {
	const raw = cookies.get(FLOW_COOKIE);
	if (raw) cookies.delete(FLOW_COOKIE, { path: PATH, secure: config().secureCookies });
	try {
		const parsed = raw ? (JSON.parse(raw) as Record<string, unknown>) : null;
		if (!parsed) return null;
		const { state, nonce, codeVerifier, next } = parsed;
		if (typeof state !== 'string' || typeof nonce !== 'string' || typeof codeVerifier !== 'string') return null;
		return { state, nonce, codeVerifier, next: typeof next === 'string' ? next : '/' };
	} catch {
		return null;
	}
}

/** Back to the sign-in page, which explains `reason` and keeps `next`. */
export function signInPageWith(reason: OidcFailure, next: string): string {
	const query = new URLSearchParams({ error: reason });
	if (next !== '/') query.set('next', next);
	return `/signin?${query}`;
}
