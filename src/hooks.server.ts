import { randomUUID } from 'node:crypto';
import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit/hooks';
import { config } from '#lib/server/platform/config.ts';
import { appErrorOf, statusOf, type ErrorCode } from '#lib/server/platform/errors.ts';
import { log } from '#lib/server/platform/log.ts';
import { httpRequests } from '#lib/server/platform/metrics.ts';
import { db, startRuntime } from '#lib/server/platform/runtime.ts';
import { SESSION_COOKIE } from '#lib/server/platform/http/session-cookie.ts';
import { actorForSession, actorForToken, hasAdministrator, mayAdminister } from '#lib/server/modules/members/index.ts';
import { installModules, migrate } from '#lib/server/modules.ts';

export const init: ServerInit = async () => {
	config();
	// The modules' hooks keep stored facts exact (the needs module's supporter counts when a member's
	// organization or deployment changes), so they are installed before the first request.
	installModules();
	await startRuntime(migrate);
};

export const handle: Handle = async ({ event, resolve }) => {
	const started = performance.now();
	const requestId = event.request.headers.get('x-request-id')?.slice(0, 100) || randomUUID();
	event.locals.requestId = requestId;
	event.locals.log = log.child({ requestId });
	event.locals.actor = null;
	event.locals.sessionToken = null;

	const database = await db();
	const now = new Date();
	const authorization = event.request.headers.get('authorization');
	if (authorization?.toLowerCase().startsWith('bearer ')) {
		event.locals.actor = await actorForToken(database, authorization.slice(7).trim(), now);
	} else {
		const cookie = event.cookies.get(SESSION_COOKIE);
		if (cookie) {
			event.locals.actor = await actorForSession(database, cookie, now);
			if (event.locals.actor) event.locals.sessionToken = cookie;
			else event.cookies.delete(SESSION_COOKIE, { path: '/' });
		}
	}

	const api = isApiPath(event.url.pathname);
	const refused = (await refusedBeforeSetup(event)) ?? (api ? refusedCrossSiteApiWrite(event) : refusedCrossSiteForm(event));
	if (!refused) guardRouteGroup(event);
	let response = refused ?? (api && event.route.id === null ? apiNotFound(event) : await resolve(event));
	if (api) response = await asApiError(event, response);
	response.headers.set('x-request-id', requestId);
	setSecurityHeaders(response.headers);
	const seconds = (performance.now() - started) / 1000;
	httpRequests.observe({ route: event.route.id ?? 'unmatched', method: event.request.method, status: String(response.status) }, seconds);
	event.locals.log.info(
		{
			method: event.request.method,
			path: event.url.pathname,
			route: event.route.id,
			status: response.status,
			ms: Math.round(seconds * 1000),
			member: event.locals.actor?.handle
		},
		'request'
	);
	return response;
};

/**
 * Pages of the (admin) and (app) groups are for administrators and for signed-in members. Their layouts
 * say so too, but a layout's load can be skipped (`__data.json` with an invalidation mask runs only the
 * page's load), so the hook is the guard and no load of these pages runs for someone who may not see it.
 * Commands still authorize themselves; this keeps their pages' reads closed as well.
 */
function guardRouteGroup(event: RequestEvent): void {
	const group = event.route.id?.match(/^\/\((admin|app)\)(?:\/|$)/)?.[1];
	if (!group) return;
	const actor = event.locals.actor;
	if (!actor) redirect(303, `/signin?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
	if (group === 'admin' && !mayAdminister(actor)) error(403, 'This page is for administrators.');
}

let siteIsSetUp = false;
const OPEN_BEFORE_SETUP = new Set(['/setup', '/healthz', '/metrics']);

/**
 * Until the site has its first administrator, /setup is the only door: a member who signed up first would
 * leave the site with nobody able to make one. Once an administrator exists this process stops asking
 * (the last administrator cannot be demoted).
 */
async function refusedBeforeSetup(event: RequestEvent): Promise<Response | null> {
	if (siteIsSetUp) return null;
	siteIsSetUp = await hasAdministrator(await db());
	if (siteIsSetUp || OPEN_BEFORE_SETUP.has(event.url.pathname)) return null;
	const message = 'This site is not set up yet: its first administrator signs up at /setup.';
	if (event.url.pathname.startsWith('/api/')) return Response.json({ error: { code: 'forbidden', message, fields: {} } }, { status: 403 });
	return new Response(null, { status: 303, headers: { location: '/setup' } });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const FORM_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** The media types an HTML form can send, which a browser sends cross-site without asking first (no preflight). */
const FORM_MEDIA_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain', 'application/x-sveltekit-formdata']);

const mediaTypeOf = (request: Request) => (request.headers.get('content-type') ?? '').split(';', 1)[0].trim().toLowerCase();
/** A write a form on any site could have sent: a form method with a form's media type, or none. */
const formLike = (request: Request) => FORM_METHODS.has(request.method) && (!mediaTypeOf(request) || FORM_MEDIA_TYPES.has(mediaTypeOf(request)));

/** The JSON API answers everything under /api in its own error shape, unknown paths included. */
const isApiPath = (pathname: string) => pathname === '/api' || pathname.startsWith('/api/');

/**
 * Form submissions from another site are refused: this is SvelteKit's own CSRF check (the same rule and the
 * same answer), done here because SvelteKit's runs before any hook and answers the API in plain text even
 * when a bearer token, which no browser sends on its own, vouches for the request. The built-in check is off
 * (`csrf.trustedOrigins: ['*']` in vite.config.ts); the API has its own rule, `refusedCrossSiteApiWrite`.
 */
function refusedCrossSiteForm(event: RequestEvent): Response | null {
	const { request, url } = event;
	if (!formLike(request) || request.headers.get('origin') === url.origin) return null;
	const message = `Cross-site ${request.method} form submissions are forbidden`;
	if (request.headers.get('accept') === 'application/json') return Response.json({ message }, { status: 403 });
	return new Response(message, { status: 403, headers: { 'content-type': 'text/plain;charset=UTF-8' } });
}

/**
 * A browser sends the session cookie with a cross-site request, and a JSON body only needs the preflight
 * that a lenient proxy or a future CORS header could answer. Writes to the API that rest on the session
 * cookie must therefore come from this site's own pages, as SvelteKit demands of form actions; and a write
 * with a form's media type (which needs no preflight at all) must say it comes from this site. A bearer
 * token is never sent by a browser on its own, so token requests are not affected: a token request with a
 * form body gets the API's 415.
 */
function refusedCrossSiteApiWrite(event: RequestEvent): Response | null {
	const { request, url } = event;
	if (SAFE_METHODS.has(request.method) || !event.locals.sessionToken) return null;
	// Browsers send Origin with every cross-origin write, and Sec-Fetch-Site with every request; a client that
	// sends neither is not a browser acting for someone else.
	const origin = request.headers.get('origin');
	const site = request.headers.get('sec-fetch-site');
	const crossSite = origin !== null ? origin !== url.origin : site !== null && site !== 'same-origin' && site !== 'none';
	if (!crossSite && !(formLike(request) && origin !== url.origin)) return null;
	return apiError('forbidden', 403, 'Cross-site writes with the session cookie are refused; send a personal API token instead.');
}

const apiError = (code: ErrorCode | 'internal', status: number, message: string, headers: HeadersInit = {}) =>
	Response.json({ error: { code, message, fields: {} } }, { status, headers });

const shortPath = (pathname: string) => (pathname.length > 200 ? `${pathname.slice(0, 200)}…` : pathname);

/** No route under /api: the API's 404, whatever the method, instead of the site's HTML page. */
function apiNotFound(event: RequestEvent): Response {
	return apiError('not_found', 404, `No operation at ${shortPath(event.url.pathname)}; the operations are listed at /api/v1/openapi.json.`);
}

const CODES_BY_STATUS: Record<number, ErrorCode> = {
	400: 'invalid_input',
	401: 'unauthenticated',
	403: 'forbidden',
	404: 'not_found',
	405: 'method_not_allowed',
	409: 'conflict',
	413: 'payload_too_large',
	415: 'unsupported_media_type',
	429: 'rate_limited'
};

/**
 * Every failure under /api in the API's error shape: SvelteKit's own answers (405 for a method a route does
 * not export, its error page for anything thrown outside an operation) are rewritten, keeping their status
 * and their Allow header. Answers already in the shape pass untouched.
 */
async function asApiError(event: RequestEvent, response: Response): Promise<Response> {
	if (response.status < 400) return response;
	const text = await response
		.clone()
		.text()
		.catch(() => '');
	try {
		const payload = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; fields?: unknown } };
		if (typeof payload.error?.code === 'string' && typeof payload.error.message === 'string' && typeof payload.error.fields === 'object') return response;
	} catch {
		// Not JSON: SvelteKit's plain text or HTML.
	}
	const { status } = response;
	const method = event.request.method;
	if (status === 405) {
		const allowed = (response.headers.get('allow') ?? '')
			.split(',')
			.map((m) => m.trim())
			.filter(Boolean);
		const takes = allowed.length ? `; it takes ${allowed.slice(0, -1).join(', ')}${allowed.length > 1 ? ' and ' : ''}${allowed.at(-1)}` : '';
		return apiError('method_not_allowed', 405, `${method} is not allowed on ${shortPath(event.url.pathname)}${takes}.`, { allow: allowed.join(', ') });
	}
	if (status === 404) return apiNotFound(event);
	const code = CODES_BY_STATUS[status] ?? (status >= 500 ? 'internal' : 'invalid_input');
	const plain = (response.headers.get('content-type') ?? '').startsWith('text/plain') && text.length <= 300 ? text.trim() : '';
	const message =
		plain || (status >= 500 ? `Something went wrong on our side (request ${event.locals.requestId}).` : `The request was refused (HTTP ${status}).`);
	return apiError(code, status, message);
}

/** Headers every answer carries; the Content-Security-Policy comes from SvelteKit's `csp` setting, which nonces its own scripts. */
function setSecurityHeaders(headers: Headers): void {
	headers.set('x-content-type-options', 'nosniff');
	headers.set('referrer-policy', 'strict-origin-when-cross-origin');
	headers.set('x-frame-options', 'DENY');
	headers.set('cross-origin-opener-policy', 'same-origin');
	headers.set('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=()');
	if (config().secureCookies) headers.set('strict-transport-security', 'max-age=31536000');
}

/**
 * A typed AppError thrown by a command or query while rendering a page (or text the database cannot store) keeps its own status and message;
 * anything unexpected is logged and shown as a plain 500 with the request id.
 */
export const handleError: HandleServerError = (caught) => {
	const { event } = caught;
	const requestId = event.locals.requestId;
	const known = caught.kind === 'unknown' ? appErrorOf(caught.error) : null;
	if (known) return { status: statusOf(known.code), message: known.message, code: known.code, requestId };
	if (caught.kind === 'unknown') {
		(event.locals.log ?? log).error({ err: caught.error, requestId }, 'unhandled error');
		return { message: 'Something went wrong on our side. The error has been logged.', code: 'internal', requestId };
	}
	return { requestId };
};
