import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `caucus serve` as a node:cluster of HTTP workers on PostgreSQL (CAUCUS_WORKERS=2), from the build the
 * global setup made: the primary announces once both workers listen on the one port, requests reach both
 * workers, a killed worker is replaced, and SIGTERM stops every process. Needs TEST_DATABASE_URL.
 */
const ROOT = new URL('..', import.meta.url).pathname;
const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) console.warn('e2e/cluster.e2e.ts: TEST_DATABASE_URL is not set, the cluster checks are SKIPPED.');

const databaseName = `caucus_test_cluster_${randomBytes(6).toString('hex')}`;
let primary: ChildProcess;
let output = '';
let url: string;

async function adminQuery(sql: string): Promise<void> {
	const client = new pg.Client({ connectionString: serverUrl });
	await client.connect();
	try {
		await client.query(sql);
	} finally {
		await client.end();
	}
}

/** The processes whose parent is `pid`, read from /proc. */
function childrenOf(pid: number): number[] {
	const children: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
			// pid (comm) state ppid …; comm may hold spaces, so read after its closing parenthesis.
			const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
			if (Number(ppid) === pid && state !== 'Z') children.push(Number(entry));
		} catch {
			// the process ended while we looked
		}
	}
	return children;
}

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch {
		return false;
	}
}

/** GET on a connection of its own, so the cluster's round robin hands each request to the next worker. */
function workerOf(path: string): Promise<{ status: number; worker: string | undefined }> {
	return new Promise((resolve, reject) => {
		const request = http.get(`${url}${path}`, { agent: false }, (response) => {
			response.resume();
			response.on('end', () => resolve({ status: response.statusCode ?? 0, worker: response.headers['x-caucus-worker'] as string | undefined }));
		});
		request.on('error', reject);
	});
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value !== undefined) return value;
		if (Date.now() > deadline) throw new Error(`Gave up waiting: ${what}\n${output}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

describe.skipIf(!serverUrl)('caucus serve with CAUCUS_WORKERS=2 on PostgreSQL', () => {
	beforeAll(async () => {
		await adminQuery(`create database ${databaseName}`);
		const databaseUrl = new URL(serverUrl!);
		databaseUrl.pathname = `/${databaseName}`;
		primary = spawn(process.execPath, [join(ROOT, 'bin', 'caucus.js'), 'serve', '--no-build'], {
			cwd: ROOT,
			env: { ...process.env, DATABASE_URL: databaseUrl.toString(), CAUCUS_WORKERS: '2', PORT: '0', HOST: '127.0.0.1', CAUCUS_LOG_LEVEL: 'info' },
			stdio: ['ignore', 'pipe', 'pipe']
		});
		primary.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		primary.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
		url = await until(
			'the running line',
			() => {
				if (primary.exitCode !== null) throw new Error(`The server exited with ${primary.exitCode}:\n${output}`);
				return output.match(/Caucus is running at (http:\/\/\S+) \(database: PostgreSQL, 2 workers\)/)?.[1];
			},
			120_000
		);
	});

	afterAll(async () => {
		if (primary && primary.exitCode === null && primary.signalCode === null) {
			const exited = new Promise((resolve) => primary.once('exit', resolve));
			primary.kill('SIGKILL');
			await exited;
		}
		await adminQuery(`drop database if exists ${databaseName} with (force)`);
	});

	it('announces once, after the database was migrated once, by the primary', () => {
		expect(output.match(/Caucus is running at/g)).toHaveLength(1);
		// Every process logs "database ready" with the migrations it applied: the primary all of them, the workers none.
		const ready = output
			.split('\n')
			.filter((line) => line.includes('"database ready"'))
			.map((line) => JSON.parse(line) as { applied: string[] });
		expect(ready).toHaveLength(3);
		expect(ready[0].applied.length).toBeGreaterThan(0);
		expect(ready.slice(1).map((r) => r.applied)).toEqual([[], []]);
	});

	it('answers on one port from two worker processes', async () => {
		expect(childrenOf(primary.pid!)).toHaveLength(2);
		const answers = [];
		// The site has no administrator yet, so /setup is the page every worker serves (the others redirect there).
		for (let i = 0; i < 8; i++) answers.push(await workerOf('/setup'));
		expect(answers.every((a) => a.status === 200)).toBe(true);
		expect(new Set(answers.map((a) => a.worker))).toEqual(new Set(['1', '2']));
	});

	it('serves the metrics of both workers, summed, whichever worker takes the scrape', async () => {
		const boardRequests = (text: string) =>
			[...text.matchAll(/^caucus_http_request_duration_seconds_count\{[^}]*route="[^"]*\/setup"[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
		const scrapes = [];
		for (let i = 0; i < 2; i++) {
			const { worker, body } = await new Promise<{ worker: string | undefined; body: string }>((resolve, reject) => {
				http
					.get(`${url}/metrics`, { agent: false }, (response) => {
						let body = '';
						response.setEncoding('utf8');
						response.on('data', (chunk: string) => (body += chunk));
						response.on('end', () => resolve({ worker: response.headers['x-caucus-worker'] as string | undefined, body }));
					})
					.on('error', reject);
			});
			scrapes.push({ worker, board: boardRequests(body) });
		}
		// The previous test asked each worker for /setup 4 times: each scrape sees all 8.
		expect(new Set(scrapes.map((s) => s.worker)).size).toBe(2);
		expect(scrapes.map((s) => s.board)).toEqual([8, 8]);
	});

	it('replaces a worker that dies', async () => {
		const [victim, survivor] = childrenOf(primary.pid!);
		process.kill(victim, 'SIGKILL');
		const replacement = await until('a new worker process', () => childrenOf(primary.pid!).find((pid) => pid !== victim && pid !== survivor));
		expect(alive(replacement)).toBe(true);
		await until('both workers answering again', async () => {
			const seen = new Set<string | undefined>();
			for (let i = 0; i < 4; i++) seen.add((await workerOf('/healthz')).worker);
			return seen.size === 2 ? true : undefined;
		});
		expect(output).toMatch(/worker died; restarting it/);
	});

	it('stops every process on SIGTERM and exits 0', async () => {
		const workers = childrenOf(primary.pid!);
		expect(workers).toHaveLength(2);
		const exited = new Promise<number | null>((resolve) => primary.once('exit', (code) => resolve(code)));
		primary.kill('SIGTERM');
		expect(await exited).toBe(0);
		expect(workers.filter(alive)).toEqual([]);
	});
});
