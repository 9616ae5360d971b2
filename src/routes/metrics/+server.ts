import { clusterMetrics } from '#lib/server/platform/cluster-metrics.ts';
import { registry } from '#lib/server/platform/metrics.ts';
import type { RequestHandler } from './$types';

/** Prometheus metrics: this process's, or under `caucus serve` with several workers, all the workers' summed. */
export const GET: RequestHandler = async () => {
	const headers = { 'content-type': registry.contentType, 'cache-control': 'no-store' };
	const all = clusterMetrics();
	if (!all) return new Response(await registry.metrics(), { headers });
	try {
		return new Response(await all, { headers });
	} catch (error) {
		// A worker still starting cannot answer yet; a scrape that fails is better than one that shows part of the site.
		return new Response(`${(error as Error).message}\n`, { status: 503, headers: { 'content-type': 'text/plain', 'cache-control': 'no-store', 'retry-after': '5' } });
	}
};
