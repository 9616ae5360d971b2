import { describe, expect, it } from 'vitest';
import { clusterMetrics } from '#lib/server/platform/cluster-metrics.ts';
import { GET } from './+server.ts';
import { isLoopback, mayReadMetrics } from './access.ts';

type Event = Parameters<typeof GET>[0];
const from = (address: string, headers: Record<string, string> = {}) =>
	({ request: new Request('http://caucus.test/metrics', { headers }), getClientAddress: () => address }) as unknown as Event;

describe('/metrics in one process', () => {
	it("serves this process's registry to a scraper on this machine, with no cluster to ask", async () => {
		expect(clusterMetrics()).toBeNull();
		const response = await GET(from('127.0.0.1'));
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
		const text = await response.text();
		expect(text).toMatch(/^caucus_process_cpu_seconds_total /m);
		expect(text).toMatch(/# TYPE caucus_http_request_duration_seconds histogram/);
	});

	it('refuses a scraper on another machine without the token, and one that came through a proxy', async () => {
		for (const event of [
			from('203.0.113.9'),
			from('10.0.0.5'),
			from('127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }),
			from('::1', { forwarded: 'for=203.0.113.9' })
		]) {
			const response = await GET(event);
			expect(response.status).toBe(401);
			expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
			expect(await response.text()).not.toMatch(/caucus_/);
		}
	});
});

describe('who may read the metrics', () => {
	const token = 'metrics-token-0123456789abcdef';
	it('loopback only, in its IPv4, IPv6 and IPv4-mapped spellings', () => {
		for (const address of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopback(address), address).toBe(true);
		for (const address of ['203.0.113.9', '::ffff:203.0.113.9', '10.0.0.1', '1127.0.0.1', 'unknown', '']) expect(isLoopback(address), address).toBe(false);
		expect(mayReadMetrics(from('127.0.0.1'), undefined)).toBe(true);
		expect(mayReadMetrics(from('203.0.113.9'), undefined)).toBe(false);
	});

	it('from anywhere with the bearer token; a wrong token is refused even from loopback', () => {
		expect(mayReadMetrics(from('203.0.113.9', { authorization: `Bearer ${token}` }), token)).toBe(true);
		expect(mayReadMetrics(from('203.0.113.9', { authorization: `bearer ${token}`, 'x-forwarded-for': '198.51.100.1' }), token)).toBe(true);
		expect(mayReadMetrics(from('203.0.113.9', { authorization: 'Bearer wrong' }), token)).toBe(false);
		expect(mayReadMetrics(from('203.0.113.9', { authorization: `Bearer ${token}x` }), token)).toBe(false);
		expect(mayReadMetrics(from('127.0.0.1', { authorization: 'Bearer wrong' }), token)).toBe(false);
		// Without a configured token, a bearer header grants nothing.
		expect(mayReadMetrics(from('203.0.113.9', { authorization: `Bearer ${token}` }), undefined)).toBe(false);
	});
});
