import cluster, { type Worker as ClusterWorker } from 'node:cluster';
import { createServer, type Server } from 'node:http';
import { config, ConfigError, defaultDatabasePool, siteOrigin, workersNeedPostgres, type Config } from '#lib/server/platform/config.ts';
import { aggregateForWorkers, isCaucusWorker, WORKER_SLOT_ENV } from '#lib/server/platform/cluster-metrics.ts';
import { log } from '#lib/server/platform/log.ts';
import { BUILD_ENTRY, build, buildIsStale } from './build.ts';

const PROTOCOL_HEADER = 'x-caucus-protocol';
/** In a cluster, which worker (1…N, kept across restarts) answered; tells nothing but how many workers there are. */
const WORKER_HEADER = 'x-caucus-worker';
/** How long the primary waits for its workers to stop on SIGTERM before it kills them. */
const STOP_GRACE_MS = 10_000;
/** A worker that ran this long before it died is restarted at once; one that keeps dying waits longer each time. */
const HEALTHY_MS = 30_000;
const MAX_BACKOFF_MS = 30_000;

/**
 * Builds when needed, then serves the built app. With one worker (always on the embedded database) this
 * process serves; with more (CAUCUS_WORKERS or --workers, on PostgreSQL) it becomes a node:cluster primary
 * that migrates, runs the job worker and forks the HTTP workers, which share its port.
 */
export async function serve(options: { build: boolean; workers?: number }): Promise<void> {
	// A worker this command forked; a worker of another cluster manager (pm2's cluster mode) serves on its own.
	if (isCaucusWorker()) return serveWorker();
	const cfg = config();
	const workers = options.workers ?? cfg.workers;
	if (workers > 1 && cfg.database.kind === 'pglite') throw new ConfigError([workersNeedPostgres('--workers', workers)]);
	if (options.build && buildIsStale()) {
		console.log('Building Caucus (first start or changed sources)…');
		build();
	}
	// Without ORIGIN the Node adapter would assume https; this server speaks plain HTTP, so it says so
	// on every request (overwriting anything a client sent) and the same-origin check on forms holds.
	// Set before forking, so the workers inherit it.
	if (!cfg.origin) process.env.PROTOCOL_HEADER = PROTOCOL_HEADER;
	if (workers === 1) return serveAlone(cfg);
	return servePrimary(cfg, workers);
}

/** One process: the app (which migrates as it starts), the job worker and the HTTP server. */
async function serveAlone(cfg: Config): Promise<void> {
	const { handler } = await import(BUILD_ENTRY);
	const { db, stopRuntime } = await import('#lib/server/platform/runtime.ts');
	// Background jobs (upstream sync, ...) run in this process beside the server, on the same database.
	const { installModules } = await import('#lib/server/modules.ts');
	installModules();
	const { startWorker } = await import('#lib/server/platform/jobs/index.ts');
	const worker = startWorker(db);
	const server = appServer(cfg, handler);
	await listen(server, cfg.port, cfg.host);
	const port = boundPort(server, cfg.port);
	if (cfg.database.kind === 'pglite') {
		// Read-only commands (`caucus priorities export`) ask this server while it holds the embedded database.
		await db();
		const { recordHolderUrl } = await import('#lib/server/platform/db/lock.ts');
		recordHolderUrl(
			cfg.database.dataDir,
			`http://${cfg.host === '0.0.0.0' || cfg.host === '::' ? '127.0.0.1' : cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${port}`
		);
	}
	announce(cfg, port);

	let stopping = false;
	const stop = (signal: string) => {
		if (stopping) return;
		stopping = true;
		log.info({ signal }, 'shutting down');
		closeServer(server);
		void worker
			.stop()
			.then(stopRuntime)
			.finally(() => process.exit(0));
	};
	process.once('SIGINT', () => stop('SIGINT'));
	process.once('SIGTERM', () => stop('SIGTERM'));
}

/**
 * The cluster primary serves no request itself. It migrates the database once, before any worker opens
 * it, so workers never race on migrations: each worker's app still runs migrateToLatest as it starts,
 * which then finds nothing to apply. It migrates the way one process does, by loading the built app (its
 * init opens and migrates the database), so the migrations applied are the build's, the ones the workers know.
 *
 * The job worker runs here, in the primary, and in no HTTP worker. Jobs are claimed with FOR UPDATE SKIP
 * LOCKED, so several job workers would be safe, but one keeps the recurring jobs tidy (one pass ensures
 * them, no duplicate polling), and the primary is the process that lives as long as the server: an HTTP
 * worker may die and be restarted, the job loop goes on. It also leaves the workers' CPU to requests.
 */
async function servePrimary(cfg: Config, count: number): Promise<void> {
	await import(BUILD_ENTRY);
	const { db, startRuntime, stopRuntime } = await import('#lib/server/platform/runtime.ts');
	const { installModules, migrate } = await import('#lib/server/modules.ts');
	await startRuntime(migrate, cfg);
	installModules();
	const { startWorker } = await import('#lib/server/platform/jobs/index.ts');
	const jobs = startWorker(db);
	// A scrape of /metrics reaches one worker, which asks here for every worker's metrics, summed.
	aggregateForWorkers();

	interface Slot {
		worker?: ClusterWorker;
		startedAt: number;
		failures: number;
		restart?: NodeJS.Timeout;
	}
	const slots = new Map<number, Slot>();
	const slotOf = (worker: ClusterWorker) => [...slots].find(([, slot]) => slot.worker === worker)?.[0];
	// Workers listen on PORT as given, and the primary hands them one shared handle (keyed by host and that
	// PORT): with PORT=0 the first listen picks a free port and every worker, restarted ones too, gets the same.
	// (Telling a restarted worker the picked port instead would ask the primary for a second handle on a busy port.)
	let port = cfg.port;
	let announced = false;
	let stopping = false;
	const listening = new Set<number>();

	const fork = (n: number) => {
		const slot = slots.get(n) ?? { startedAt: 0, failures: 0 };
		slots.set(n, slot);
		slot.restart = undefined;
		slot.startedAt = Date.now();
		// Each worker's pool shrinks with their number (unless CAUCUS_DB_POOL says), whatever set the count.
		slot.worker = cluster.fork({ [WORKER_SLOT_ENV]: String(n), CAUCUS_DB_POOL: process.env.CAUCUS_DB_POOL || String(defaultDatabasePool(count)) });
	};

	cluster.on('listening', (worker, address) => {
		const n = slotOf(worker);
		if (n === undefined) return;
		if (!announced) {
			port = address.port;
			listening.add(n);
			if (listening.size === count) {
				announced = true;
				announce(cfg, port, count);
			}
		} else if (address.port !== port) {
			// Only with PORT=0, and only when every worker had died at once: the shared handle was gone.
			log.warn({ worker: n, pid: worker.process.pid, port: address.port, announcedPort: port }, 'worker restarted on another port');
		} else {
			log.info({ worker: n, pid: worker.process.pid }, 'worker restarted');
		}
	});

	cluster.on('exit', (worker, code, signal) => {
		const n = slotOf(worker);
		if (n === undefined || stopping) return;
		const slot = slots.get(n)!;
		slot.worker = undefined;
		if (!announced) {
			// A worker that cannot start (a missing build, a database it cannot reach) will not start on a retry either.
			console.error(`caucus: HTTP worker ${n} exited (${signal ?? `code ${code}`}) before it was serving; stopping.`);
			void stop('worker failed to start', 1);
			return;
		}
		if (Date.now() - slot.startedAt >= HEALTHY_MS) slot.failures = 0;
		const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** slot.failures);
		slot.failures++;
		log.error({ worker: n, pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker died; restarting it');
		slot.restart = setTimeout(() => fork(n), delay);
	});

	const stop = async (reason: string, exitCode = 0) => {
		if (stopping) return;
		stopping = true;
		log.info({ signal: reason }, 'shutting down');
		for (const slot of slots.values()) clearTimeout(slot.restart);
		const alive = Object.values(cluster.workers ?? {}).filter((w): w is ClusterWorker => !!w && !w.isDead());
		const exited = alive.map((w) => new Promise((resolve) => w.once('exit', resolve)));
		// Each worker stops itself on SIGTERM: it closes its server and its database pool, then exits.
		for (const w of alive) w.process.kill('SIGTERM');
		const kill = setTimeout(() => {
			for (const w of alive) if (!w.isDead()) w.process.kill('SIGKILL');
		}, STOP_GRACE_MS);
		await Promise.all(exited);
		clearTimeout(kill);
		await jobs.stop().catch((error) => log.error({ err: error }, 'job worker did not stop cleanly'));
		await stopRuntime().catch((error) => log.error({ err: error }, 'database did not close cleanly'));
		process.exit(exitCode);
	};
	process.once('SIGINT', () => void stop('SIGINT'));
	process.once('SIGTERM', () => void stop('SIGTERM'));

	for (let n = 1; n <= count; n++) fork(n);
}

/** An HTTP worker of the cluster: the app (which finds the database migrated) on the primary's port. */
async function serveWorker(): Promise<void> {
	const cfg = config();
	const slot = process.env[WORKER_SLOT_ENV]!;
	const { handler } = await import(BUILD_ENTRY);
	const { stopRuntime } = await import('#lib/server/platform/runtime.ts');
	const server = appServer(cfg, handler, slot);
	await listen(server, cfg.port, cfg.host);

	let stopping = false;
	// The primary decides when workers stop: it sends SIGTERM. Ctrl-C reaches every process of the
	// terminal's group, so a worker leaves SIGINT to the primary rather than look like it crashed.
	process.on('SIGINT', () => undefined);
	process.once('SIGTERM', () => {
		if (stopping) return;
		stopping = true;
		closeServer(server);
		void stopRuntime().finally(() => process.exit(0));
	});
}

type Handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;

function appServer(cfg: Config, handler: Handler, workerSlot?: string): Server {
	const server = createServer((req, res) => {
		if (!cfg.origin) req.headers[PROTOCOL_HEADER] = 'http';
		// Cross-site form posts are refused by the server hook (src/hooks.server.ts), which lets a bearer-token API
		// call such as `curl -X DELETE -H 'Authorization: Bearer …'` through without a Content-Type.
		if (workerSlot) res.setHeader(WORKER_HEADER, workerSlot);
		handler(req, res);
	});
	server.keepAliveTimeout = 65_000;
	return server;
}

function listen(server: Server, port: number, host: string): Promise<void> {
	return new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, host, resolve);
	});
}

function boundPort(server: Server, fallback: number): number {
	const address = server.address();
	return typeof address === 'object' && address ? address.port : fallback;
}

function closeServer(server: Server): void {
	server.close(() => undefined);
	server.closeAllConnections();
}

/** The line the tests, the benchmarks and people wait for. */
function announce(cfg: Config, port: number, workers = 1): void {
	const shown = siteOrigin(cfg, port);
	const database = cfg.database.kind === 'pglite' ? `embedded, in ${cfg.database.dataDir}` : 'PostgreSQL';
	console.log(`Caucus is running at ${shown} (database: ${database}${workers > 1 ? `, ${workers} workers` : ''})`);
}
