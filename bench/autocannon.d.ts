// The part of autocannon's programmatic API the benchmarks use (the package ships no types).
declare module 'autocannon' {
	interface RequestParams {
		method?: string;
		path?: string;
		headers?: Record<string, string>;
		body?: string;
	}
	interface Request extends RequestParams {
		setupRequest?: (request: RequestParams, context: Record<string, unknown>) => RequestParams;
	}
	interface Options {
		url: string;
		connections?: number;
		duration?: number;
		/** A number of requests to make instead of a duration. */
		amount?: number;
		pipelining?: number;
		timeout?: number;
		headers?: Record<string, string>;
		requests?: Request[];
	}
	interface Histogram {
		average: number;
		mean: number;
		stddev: number;
		min: number;
		max: number;
		total: number;
		p50: number;
		p90: number;
		p97_5: number;
		p99: number;
	}
	interface Result {
		duration: number;
		errors: number;
		timeouts: number;
		non2xx: number;
		'2xx': number;
		statusCodeStats: Record<string, { count: number }>;
		latency: Histogram;
		requests: Histogram & { sent: number };
		throughput: Histogram;
	}
	function autocannon(options: Options): Promise<Result>;
	export default autocannon;
}
