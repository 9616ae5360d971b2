import type { RequestEvent, RequestHandler } from '@sveltejs/kit';
import type { Handle } from '@sveltejs/kit/hooks';
import type { Actor } from '#lib/server/platform/context.ts';
import { log } from '#lib/server/platform/log.ts';

/** Every API route module, by file, so tests can call handlers directly without a running server. */
export const apiRouteModules = import.meta.glob<Record<string, RequestHandler>>('/src/routes/api/v1/**/+server.ts', { eager: true });

/**
 * The route file that serves an OpenAPI path such as /groups/{slug}: the folder `[slug]`, or `[slug=matcher]`
 * when the folder names a param matcher (src/params.ts).
 */
export function routeFileOf(openApiPath: string): string {
	const plain = `/src/routes/api/v1${openApiPath.replace(/\{(\w+)\}/g, '[$1]')}/+server.ts`;
	if (plain in apiRouteModules) return plain;
	const escaped = plain.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\[(\w+)\\\]/g, '\\[$1(?:=\\w+)?\\]');
	return Object.keys(apiRouteModules).find((file) => new RegExp(`^${escaped}$`).test(file)) ?? plain;
}

export interface CallOptions {
	actor: Actor | null;
	params?: Record<string, string>;
	query?: Record<string, string>;
	/** A string is sent as is; anything else as JSON. */
	body?: unknown;
	contentType?: string;
}

/** Calls an API handler the way SvelteKit would, with `locals` as the hooks would have set them. */
export async function callHandler(handler: RequestHandler, method: string, path: string, options: CallOptions): Promise<Response> {
	const url = new URL(`http://caucus.test/api/v1${path}`);
	for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, value);
	const hasBody = options.body !== undefined && method !== 'GET';
	const body = !hasBody ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
	const request = new Request(url, {
		method,
		headers: hasBody ? { 'content-type': options.contentType ?? 'application/json' } : {},
		body
	});
	const event = {
		request,
		url,
		params: options.params ?? {},
		locals: { actor: options.actor, requestId: 'test', log, sessionToken: null },
		route: { id: null },
		cookies: { get: () => undefined, getAll: () => [], set() {}, delete() {}, serialize: () => '' },
		getClientAddress: () => '127.0.0.1',
		setHeaders() {},
		platform: undefined,
		fetch,
		isDataRequest: false,
		isSubRequest: false,
		isRemoteRequest: false
	} as unknown as RequestEvent;
	return handler(event as never);
}

interface ApiRoute {
	id: string;
	pattern: RegExp;
	names: string[];
	segments: string[];
	module: Record<string, RequestHandler>;
}

const PARAM = /^\[(\w+)(?:=\w+)?\]$/;
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** SvelteKit's order, as far as these routes need it: at the first segment that differs, a fixed one wins over a param. */
function byPriority(a: ApiRoute, b: ApiRoute): number {
	for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
		const dynamicA = PARAM.test(a.segments[i]);
		const dynamicB = PARAM.test(b.segments[i]);
		if (dynamicA !== dynamicB) return dynamicA ? 1 : -1;
	}
	return 0;
}

/** The API's routes, as SvelteKit matches them: a route id, its pattern and its module. */
const apiRoutes: ApiRoute[] = Object.entries(apiRouteModules)
	.map(([file, module]) => {
		const id = file.replace(/^\/src\/routes/, '').replace(/\/\+server\.ts$/, '');
		const segments = id.split('/').filter(Boolean);
		const pattern = new RegExp(`^/${segments.map((s) => (PARAM.test(s) ? '([^/]+)' : escapeRegExp(s))).join('/')}/?$`);
		return { id, pattern, names: segments.flatMap((s) => s.match(PARAM)?.[1] ?? []), segments, module };
	})
	.sort(byPriority);

/** The route SvelteKit would pick for a path, with its decoded params; null when none matches. */
export function matchApiRoute(pathname: string): { route: ApiRoute; params: Record<string, string> } | null {
	for (const route of apiRoutes) {
		const match = route.pattern.exec(pathname);
		if (!match) continue;
		try {
			return { route, params: Object.fromEntries(route.names.map((name, i) => [name, decodeURIComponent(match[i + 1])])) };
		} catch {
			continue;
		}
	}
	return null;
}

const ENDPOINT_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];

export interface HookRequest {
	method: string;
	/** The whole path, /api/v1/… included, with its query. */
	path: string;
	headers?: Record<string, string>;
	body?: string;
}

/**
 * Sends a request through the server hook (`handle` in src/hooks.server.ts) as SvelteKit would: the route is
 * matched first, and `resolve` answers as SvelteKit does: its HTML 404 page for a path no route matches, a
 * plain-text 405 with an Allow header for a method the route does not export, else the route's handler.
 */
export async function requestThroughHook(handle: Handle, request: HookRequest): Promise<Response> {
	const url = new URL(`http://caucus.test${request.path}`);
	const found = matchApiRoute(url.pathname);
	const cookieHeader = request.headers?.cookie ?? '';
	const cookieJar = new Map(
		cookieHeader
			.split(';')
			.map((c) => c.trim().split('='))
			.filter(([name]) => name)
			.map(([name, ...value]) => [name, value.join('=')])
	);
	const hasBody = request.body !== undefined && request.method !== 'GET' && request.method !== 'HEAD';
	const event = {
		request: new Request(url, { method: request.method, headers: request.headers, body: hasBody ? request.body : undefined }),
		url,
		params: found?.params ?? {},
		locals: {},
		route: { id: found?.route.id ?? null },
		cookies: { get: (name: string) => cookieJar.get(name), getAll: () => [], set() {}, delete() {}, serialize: () => '' },
		getClientAddress: () => '127.0.0.1',
		setHeaders() {},
		platform: undefined,
		fetch,
		isDataRequest: false,
		isSubRequest: false,
		isRemoteRequest: false
	} as unknown as RequestEvent;
	const resolve = async (event: RequestEvent): Promise<Response> => {
		if (!found) return new Response('<!doctype html><title>404</title><h1>Not Found</h1>', { status: 404, headers: { 'content-type': 'text/html' } });
		const { module } = found.route;
		const method = event.request.method;
		const handler = module[method] ?? module.fallback ?? (method === 'HEAD' ? module.GET : undefined);
		if (handler) return handler(event as never);
		const allowed = ENDPOINT_METHODS.filter((m) => m in module);
		if ('GET' in module && !('HEAD' in module)) allowed.push('HEAD');
		return new Response(`${method} method not allowed`, { status: 405, headers: { allow: [...new Set(allowed)].join(', ') } });
	};
	return handle({ event, resolve } as never);
}
