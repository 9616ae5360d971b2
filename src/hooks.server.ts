import { randomUUID } from 'node:crypto';
import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit/hooks';
import { config } from '#lib/server/platform/config.ts';
import { appErrorOf, statusOf } from '#lib/server/platform/errors.ts';
import { log } from '#lib/server/platform/log.ts';
import { httpRequests } from '#lib/server/platform/metrics.ts';
import { db, startRuntime } from '#lib/server/platform/runtime.ts';
import { SESSION_COOKIE } from '#lib/server/platform/http/session-cookie.ts';
import { actorForSession, actorForToken, mayAdminister } from '#lib/server/modules/members/index.ts';
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

	const refused = refusedCrossSiteApiWrite(event);
	if (!refused) guardRouteGroup(event);
	const response = refused ?? (await resolve(event));
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

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser sends the session cookie with a cross-site request, and a JSON body only needs the preflight
 * that a lenient proxy or a future CORS header could answer. Writes to the API that rest on the session
 * cookie must therefore come from this site's own pages, as SvelteKit already demands of form actions;
 * a bearer token is never sent by a browser on its own, so token requests are not affected.
 */
function refusedCrossSiteApiWrite(event: RequestEvent): Response | null {
	if (!event.url.pathname.startsWith('/api/') || SAFE_METHODS.has(event.request.method)) return null;
	if (!event.locals.sessionToken) return null;
	// Browsers send Origin with every cross-origin write, and Sec-Fetch-Site with every request; a client that
	// sends neither is not a browser acting for someone else.
	const origin = event.request.headers.get('origin');
	const site = event.request.headers.get('sec-fetch-site');
	const crossSite = origin !== null ? origin !== event.url.origin : site !== null && site !== 'same-origin' && site !== 'none';
	if (!crossSite) return null;
	return Response.json(
		{ error: { code: 'forbidden', message: 'Cross-site writes with the session cookie are refused; send a personal API token instead.', fields: {} } },
		{ status: 403 }
	);
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
