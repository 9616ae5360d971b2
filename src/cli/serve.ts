import { createServer } from 'node:http';
import { config } from '#lib/server/platform/config.ts';
import { log } from '#lib/server/platform/log.ts';
import { BUILD_ENTRY, build, buildIsStale } from './build.ts';

const PROTOCOL_HEADER = 'x-caucus-protocol';

/** Builds when needed, then serves the built app; the app migrates the database as it starts. */
export async function serve(options: { build: boolean }): Promise<void> {
	const cfg = config();
	if (options.build && buildIsStale()) {
		console.log('Building Caucus (first start or changed sources)…');
		build();
	}
	// Without ORIGIN the Node adapter would assume https; this server speaks plain HTTP, so it says so
	// on every request (overwriting anything a client sent) and the same-origin check on forms holds.
	if (!cfg.origin) process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;
	const { handler } = await import(BUILD_ENTRY);
	const { startRuntime, stopRuntime } = await import('#lib/server/platform/runtime.ts');
	// Background jobs (upstream sync, ...) run in this process beside the server, on the same database.
	await import('#lib/server/background-jobs.ts');
	const { startWorker } = await import('#lib/server/platform/jobs/index.ts');
	const worker = startWorker(async () => (await startRuntime()).db);
	const server = createServer((req, res) => {
		if (!cfg.origin) req.headers[PROTOCOL_HEADER] = 'http';
		// SvelteKit refuses a body-less POST or DELETE without an Origin as a cross-site form post. A request
		// carrying a bearer token cannot be forged by another site (browsers never add that header on their
		// own, and the API allows no CORS), so API calls like `curl -X DELETE -H 'Authorization: Bearer …'` pass.
		if (!req.headers['content-type'] && req.url?.startsWith('/api/') && /^bearer /i.test(req.headers.authorization ?? '')) {
			req.headers['content-type'] = 'application/json';
		}
		handler(req, res);
	});
	server.keepAliveTimeout = 65_000;
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(cfg.port, cfg.host, resolve);
	});
	const address = server.address();
	const port = typeof address === 'object' && address ? address.port : cfg.port;
	const shown = cfg.origin ?? `http://${cfg.host === '0.0.0.0' || cfg.host === '::' ? 'localhost' : cfg.host}:${port}`;
	console.log(`Caucus is running at ${shown} (database: ${cfg.database.kind === 'pglite' ? `embedded, in ${cfg.database.dataDir}` : 'PostgreSQL'})`);

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		log.info({ signal }, 'shutting down');
		server.close(() => undefined);
		server.closeAllConnections();
		void worker
			.stop()
			.then(stopRuntime)
			.finally(() => process.exit(0));
	};
	process.once('SIGINT', () => stop('SIGINT'));
	process.once('SIGTERM', () => stop('SIGTERM'));
}
