import type { RequestEvent, RequestHandler } from '@sveltejs/kit';
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
