import cluster from 'node:cluster';
import client from 'prom-client';

/*
 * /metrics under `caucus serve` with several HTTP workers (node:cluster). Each worker keeps its own
 * registry and a scrape lands on whichever worker the round robin picks, so the worker that gets it asks
 * the primary, which gathers every worker's registry with prom-client's AggregatorRegistry (counters and
 * histograms summed, gauges by their own rule) and answers. The primary serves no request, so its own
 * process metrics are not in the sum. Outside a cluster nothing here runs.
 */
/** Set by `caucus serve` on the HTTP workers it forks (their number, 1…N); other cluster managers (pm2) don't. */
export const WORKER_SLOT_ENV = 'CAUCUS_WORKER_SLOT';

/** True in an HTTP worker forked by `caucus serve`, not in a worker of some other cluster manager. */
export function isCaucusWorker(): boolean {
	return cluster.isWorker && !!process.env[WORKER_SLOT_ENV];
}

const REQUEST = 'caucus:metrics-request';
const RESPONSE = 'caucus:metrics-response';
const TIMEOUT_MS = 10_000;

interface Reply {
	type: typeof RESPONSE;
	id: number;
	text?: string;
	error?: string;
}

/** In an HTTP worker: lets the primary read this process's registry (prom-client answers its requests). */
export function shareWithPrimary(registry: client.Registry): void {
	if (!isCaucusWorker()) return;
	client.AggregatorRegistry.setRegistries([registry]);
	// The constructor adds the listener that answers the primary's requests for this process's metrics.
	new client.AggregatorRegistry();
}

/** In the primary: answers a worker's request with every worker's metrics, aggregated. */
export function aggregateForWorkers(): void {
	const aggregator = new client.AggregatorRegistry();
	cluster.on('message', (worker, message: { type?: string; id?: number }) => {
		if (message?.type !== REQUEST) return;
		const reply = (body: Omit<Reply, 'type' | 'id'>) => {
			if (worker.isConnected()) worker.send({ type: RESPONSE, id: message.id, ...body });
		};
		aggregator.clusterMetrics().then(
			(text) => reply({ text }),
			(error: Error) => reply({ error: error.message })
		);
	});
}

let nextId = 0;

/** In an HTTP worker of a cluster: every worker's metrics in the Prometheus text format; null outside a cluster. */
export function clusterMetrics(): Promise<string> | null {
	if (!isCaucusWorker() || !process.send) return null;
	const id = nextId++;
	return new Promise((resolve, reject) => {
		const done = () => {
			clearTimeout(timer);
			process.off('message', onMessage);
		};
		const onMessage = (message: Reply) => {
			if (message?.type !== RESPONSE || message.id !== id) return;
			done();
			if (message.error !== undefined) reject(new Error(`The workers' metrics could not be gathered: ${message.error}`));
			else resolve(message.text ?? '');
		};
		const timer = setTimeout(() => {
			done();
			reject(new Error('The primary did not answer with the workers’ metrics.'));
		}, TIMEOUT_MS);
		process.on('message', onMessage);
		process.send!({ type: REQUEST, id });
	});
}
