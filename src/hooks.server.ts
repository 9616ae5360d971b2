import { randomUUID } from 'node:crypto';
import type { Handle, HandleServerError, ServerInit } from '@sveltejs/kit/hooks';
import { config } from '#lib/server/platform/config.ts';
import { AppError, statusOf } from '#lib/server/platform/errors.ts';
import { log } from '#lib/server/platform/log.ts';
import { httpRequests } from '#lib/server/platform/metrics.ts';
import { db, startRuntime } from '#lib/server/platform/runtime.ts';
import { SESSION_COOKIE } from '#lib/server/platform/http/session-cookie.ts';
import { actorForSession, actorForToken } from '#lib/server/modules/members/index.ts';
// Loaded up front, not lazily with its routes: the needs module registers the platform hooks that keep
// its stored supporter facts exact when a member's organization or deployment changes.
import '#lib/server/modules/needs/index.ts';

export const init: ServerInit = async () => {
	config();
	await startRuntime();
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

	const response = await resolve(event);
	response.headers.set('x-request-id', requestId);
	const seconds = (performance.now() - started) / 1000;
	httpRequests.observe({ route: event.route.id ?? 'unmatched', method: event.request.method, status: String(response.status) }, seconds);
	event.locals.log.info(
		{ method: event.request.method, path: event.url.pathname, route: event.route.id, status: response.status, ms: Math.round(seconds * 1000), member: event.locals.actor?.handle },
		'request'
	);
	return response;
};

/**
 * A typed AppError thrown by a command or query while rendering a page keeps its own status and message;
 * anything unexpected is logged and shown as a plain 500 with the request id.
 */
export const handleError: HandleServerError = (caught) => {
	const { event } = caught;
	const requestId = event.locals.requestId;
	if (caught.kind === 'unknown' && caught.error instanceof AppError) {
		return { status: statusOf(caught.error.code), message: caught.error.message, code: caught.error.code, requestId };
	}
	if (caught.kind === 'unknown') {
		(event.locals.log ?? log).error({ err: caught.error, requestId }, 'unhandled error');
		return { message: 'Something went wrong on our side. The error has been logged.', code: 'internal', requestId };
	}
	return { requestId };
};
