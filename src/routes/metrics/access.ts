import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestEvent } from '@sveltejs/kit';
import { clientAddress } from '#lib/server/platform/http/context.ts';

/** 127.0.0.0/8 and ::1, also written as IPv4-mapped IPv6 (::ffff:127.0.0.1). */
export function isLoopback(address: string): boolean {
	const v4 = address.toLowerCase().replace(/^::ffff:/, '');
	return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1' || address === '0:0:0:0:0:0:0:1';
}

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Who may read /metrics (decision 0012): a scraper on this machine, or anyone who sends the bearer token
 * CAUCUS_METRICS_TOKEN. A request that came through a proxy (it carries Forwarded or X-Forwarded-For) is not
 * trusted as local even when the proxy on this machine is what connected: set ADDRESS_HEADER for the proxy,
 * or use the token.
 */
export function mayReadMetrics(event: Pick<RequestEvent, 'request' | 'getClientAddress'>, token: string | undefined): boolean {
	const authorization = event.request.headers.get('authorization');
	if (token && authorization?.toLowerCase().startsWith('bearer ')) {
		// Compared as digests of equal length, in constant time.
		return timingSafeEqual(digest(authorization.slice(7).trim()), digest(token));
	}
	const proxied = event.request.headers.has('forwarded') || event.request.headers.has('x-forwarded-for');
	return !proxied && isLoopback(clientAddress(event));
}
