import { config } from '#lib/server/platform/config.ts';
import { clusterMetrics } from '#lib/server/platform/cluster-metrics.ts';
import { registry } from '#lib/server/platform/metrics.ts';
import { mayReadMetrics } from './access.ts';
import type { RequestHandler } from './$types';

/**
 * Prometheus metrics: this process's, or under `caucus serve` with several workers, all the workers' summed.
 * Only for a scraper on this machine or one that sends CAUCUS_METRICS_TOKEN (decision 0012).
 */
export const GET: RequestHandler = async (event) => {
	if (!mayReadMetrics(event, config().metricsToken)) {
		return new Response('Metrics are served to this machine, or with "Authorization: Bearer <CAUCUS_METRICS_TOKEN>".\n', {
			status: 401,
			headers: { 'content-type': 'text/plain', 'cache-control': 'no-store', 'www-authenticate': 'Bearer realm="metrics"' }
		});
	}
	const headers = { 'content-type': registry.contentType, 'cache-control': 'no-store' };
	const all = clusterMetrics();
	if (!all) return new Response(await registry.metrics(), { headers });
	try {
		return new Response(await all, { headers });
	} catch (error) {
		// A worker still starting cannot answer yet; a scrape that fails is better than one that shows part of the site.
		return new Response(`${(error as Error).message}\n`, {
			status: 503,
			headers: { 'content-type': 'text/plain', 'cache-control': 'no-store', 'retry-after': '5' }
		});
	}
};
