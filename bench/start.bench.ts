import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '#lib/server/platform/db/database.ts';
import { migrate } from '#lib/server/modules.ts';
import { dropPostgresDatabase, freshPostgresDatabase, median, postgresServerUrl, report, rssMb, scaled, section, waitForOk } from './harness.ts';
import { seedMembers } from './seed.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const RUNS = 5;

/** Launches a process that serves on `port`, and measures the time until `path` answers and its memory then. */
async function launchAndTime(args: string[], env: Record<string, string>, port: number, path: string) {
	const started = performance.now();
	const child = spawn(process.execPath, args, {
		cwd: ROOT,
		env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', CAUCUS_LOG_LEVEL: 'warn' },
		stdio: 'ignore'
	});
	try {
		await waitForOk(`http://127.0.0.1:${port}${path}`);
		const readyMs = performance.now() - started;
		// A few page views, so memory reflects a server that has rendered something.
		for (let i = 0; i < 5; i++) await fetch(`http://127.0.0.1:${port}/`).then((r) => r.arrayBuffer());
		return { readyMs, rss: await rssMb(child.pid!) };
	} finally {
		if (child.exitCode === null && child.signalCode === null) {
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			await exited;
		}
	}
}

/** A port the kernel just handed out and released: fixed ports could fall in the ephemeral range and collide. */
function port(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port: free } = probe.address() as { port: number };
			probe.close(() => resolve(free));
		});
	});
}

async function measure(label: string, env: Record<string, string>) {
	const times: number[] = [];
	const memory: number[] = [];
	for (let i = 0; i < RUNS; i++) {
		const { readyMs, rss } = await launchAndTime([join(ROOT, 'bin', 'caucus.js'), 'serve', '--no-build'], env, await port(), '/healthz');
		times.push(readyMs);
		memory.push(rss);
	}
	return { label, readyMs: median(times), rss: median(memory) };
}

/** The floor: a bare node:http server, launched and polled the same way. */
async function baseline() {
	const times: number[] = [];
	const memory: number[] = [];
	const script = "require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1')";
	for (let i = 0; i < RUNS; i++) {
		const { readyMs, rss } = await launchAndTime(['-e', script], {}, await port(), '/');
		times.push(readyMs);
		memory.push(rss);
	}
	return { readyMs: median(times), rss: median(memory) };
}

export async function run(): Promise<void> {
	section('start: launching the built server on an existing database until /healthz answers');
	const members = scaled(5_000, 100);
	const floor = await baseline();
	console.log(`baseline (bare node:http): ready ${floor.readyMs.toFixed(0)} ms, rss ${floor.rss.toFixed(1)} MB`);

	const dataDir = mkdtempSync(join(tmpdir(), 'caucus-bench-start-'));
	try {
		const database = await openDatabase({ kind: 'pglite', dataDir });
		await migrate(database.db);
		await seedMembers(database.db, members);
		await database.close();
		const pglite = await measure('pglite', { CAUCUS_DATA: dataDir });
		console.log(
			`embedded (${members} members): ready ${pglite.readyMs.toFixed(0)} ms = ${(pglite.readyMs / floor.readyMs).toFixed(2)}× baseline, rss ${pglite.rss.toFixed(1)} MB = ${(pglite.rss / floor.rss).toFixed(2)}× baseline`
		);
		report(
			'start.ready_ms',
			Math.round(pglite.readyMs),
			'ms',
			`pglite, ${(pglite.readyMs / floor.readyMs).toFixed(2)}x baseline ${floor.readyMs.toFixed(0)} ms`
		);
		report('start.rss_mb', Number(pglite.rss.toFixed(1)), 'MB', `pglite, ${(pglite.rss / floor.rss).toFixed(2)}x baseline ${floor.rss.toFixed(1)} MB`);
		report('start.ready_ratio', Number((pglite.readyMs / floor.readyMs).toFixed(2)), 'x', 'pglite');
	} finally {
		rmSync(dataDir, { recursive: true, force: true });
	}

	const server = await postgresServerUrl();
	if (!server) return;
	const name = 'caucus_bench_start';
	const url = await freshPostgresDatabase(server, name);
	try {
		const database = await openDatabase({ kind: 'postgres', url });
		await migrate(database.db);
		await seedMembers(database.db, members);
		await database.close();
		const postgres = await measure('postgres', { DATABASE_URL: url });
		console.log(
			`PostgreSQL (${members} members): ready ${postgres.readyMs.toFixed(0)} ms = ${(postgres.readyMs / floor.readyMs).toFixed(2)}× baseline, rss ${postgres.rss.toFixed(1)} MB = ${(postgres.rss / floor.rss).toFixed(2)}× baseline`
		);
		report('start.ready_ms.postgres', Math.round(postgres.readyMs), 'ms', `${(postgres.readyMs / floor.readyMs).toFixed(2)}x baseline`);
		report(
			'start.rss_mb.postgres',
			Number(postgres.rss.toFixed(1)),
			'MB',
			`${(postgres.rss / floor.rss).toFixed(2)}x baseline; the primary and its HTTP workers`
		);
		// By default on PostgreSQL the server is a cluster (one HTTP worker per CPU, after the primary migrated):
		// the same once more as one process.
		const single = await measure('postgres, one process', { DATABASE_URL: url, CAUCUS_WORKERS: '1' });
		console.log(`PostgreSQL, one process: ready ${single.readyMs.toFixed(0)} ms, rss ${single.rss.toFixed(1)} MB`);
		report(
			'start.ready_ms.postgres_one_process',
			Math.round(single.readyMs),
			'ms',
			`${(single.readyMs / floor.readyMs).toFixed(2)}x baseline; CAUCUS_WORKERS=1`
		);
		report('start.rss_mb.postgres_one_process', Number(single.rss.toFixed(1)), 'MB', 'CAUCUS_WORKERS=1');
	} finally {
		await dropPostgresDatabase(server, name);
	}
}
