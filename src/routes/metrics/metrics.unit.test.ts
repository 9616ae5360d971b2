import { describe, expect, it } from 'vitest';
import { clusterMetrics } from '#lib/server/platform/cluster-metrics.ts';
import { GET } from './+server.ts';

describe('/metrics in one process', () => {
	it("serves this process's registry, with no cluster to ask", async () => {
		expect(clusterMetrics()).toBeNull();
		const response = await GET({} as Parameters<typeof GET>[0]);
		expect(response.status).toBe(200);
		expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
		const text = await response.text();
		expect(text).toMatch(/^caucus_process_cpu_seconds_total /m);
		expect(text).toMatch(/# TYPE caucus_http_request_duration_seconds histogram/);
	});
});
