import client from 'prom-client';
import { shareWithPrimary } from './cluster-metrics.ts';

/** One registry for the process, exposed at /metrics. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry, prefix: 'caucus_' });
// Under `caucus serve` with several workers, /metrics sums every worker's registry (see cluster-metrics.ts).
shareWithPrimary(registry);

export const httpRequests = new client.Histogram({
	name: 'caucus_http_request_duration_seconds',
	help: 'HTTP requests by route, method and status.',
	labelNames: ['route', 'method', 'status'] as const,
	buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
	registers: [registry]
});
