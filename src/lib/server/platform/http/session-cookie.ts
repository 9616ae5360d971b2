import type { Cookies } from '@sveltejs/kit';
import { config } from '../config.ts';

export const SESSION_COOKIE = 'caucus_session';

export function setSessionCookie(cookies: Cookies, token: string, expires: Date): void {
	cookies.set(SESSION_COOKIE, token, { path: '/', httpOnly: true, sameSite: 'lax', secure: config().secureCookies, expires });
}

export function clearSessionCookie(cookies: Cookies): void {
	cookies.delete(SESSION_COOKIE, { path: '/', secure: config().secureCookies });
}

const PROBE_ORIGIN = 'http://caucus.invalid';
/** Control characters (tabs and newlines among them), backslashes and characters URL parsers drop or treat as separators. */
const ODD = /[\u0000-\u001f\u007f-\u009f\\\u2028\u2029\ufeff]/;

/**
 * Where to go after signing in: only a plain path on this site, never another origin. `next` is parsed as
 * a browser would parse it against this site; anything odd (control characters, backslashes, a path that
 * normalises to `//host`, another origin) gives `fallback`. The answer is the normalised path, query and hash.
 */
export function safeNext(next: string | null | undefined, fallback = '/'): string {
	if (!next || next.length > 2000 || !next.startsWith('/') || next.startsWith('//') || ODD.test(next)) return fallback;
	let url: URL;
	try {
		url = new URL(next, PROBE_ORIGIN);
	} catch {
		return fallback;
	}
	if (url.origin !== PROBE_ORIGIN || url.username || url.password) return fallback;
	const path = `${url.pathname}${url.search}${url.hash}`;
	// `/.//evil.com` normalises to `//evil.com`, which a browser reads as another host.
	if (!path.startsWith('/') || path.startsWith('//') || ODD.test(path)) return fallback;
	return path;
}
