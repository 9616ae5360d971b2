import { spawn } from 'node:child_process';
import pg from 'pg';

export const SCALE = Number(process.env.BENCH_SCALE ?? 1);
if (!(SCALE > 0)) throw new Error(`BENCH_SCALE must be a positive number (got ${process.env.BENCH_SCALE}).`);

export const scaled = (n: number, min = 1) => Math.max(min, Math.round(n * SCALE));

/** One figure: a human line, and the machine line `BENCH <name> <value> <unit>` that runs are compared by. */
export function report(name: string, value: number, unit: string, note = ''): void {
	const shown = Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
	console.log(`BENCH ${name} ${shown} ${unit}${note ? `   # ${note}` : ''}`);
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function section(title: string): void {
	console.log(`\n== ${title} ==`);
}

/** The PostgreSQL server the benchmarks use, or null (with a note) when none answers. */
export async function postgresServerUrl(): Promise<string | null> {
	const url = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
	const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
	try {
		await client.connect();
		await client.end();
		return url;
	} catch (error) {
		console.log(`No PostgreSQL at ${url} (${(error as Error).message}); PostgreSQL figures are skipped. Set BENCH_DATABASE_URL.`);
		return null;
	}
}

/** A fresh, empty database on the server for one benchmark; returns its URL. */
export async function freshPostgresDatabase(serverUrl: string, name: string): Promise<string> {
	const client = new pg.Client({ connectionString: serverUrl });
	await client.connect();
	await client.query(`drop database if exists ${name} with (force)`);
	await client.query(`create database ${name}`);
	await client.end();
	const url = new URL(serverUrl);
	url.pathname = `/${name}`;
	return url.toString();
}

export async function dropPostgresDatabase(serverUrl: string, name: string): Promise<void> {
	const client = new pg.Client({ connectionString: serverUrl });
	await client.connect();
	await client.query(`drop database if exists ${name} with (force)`);
	await client.end();
}

/** Resident memory of a process, from /proc. */
/** Resident memory of a process and its children (the HTTP workers of a cluster), in MB. */
export function rssMb(pid: number): Promise<number> {
	const rssOf = (args: string[]) =>
		new Promise<number[]>((resolve) => {
			const ps = spawn('ps', ['-o', 'rss=', ...args]);
			let out = '';
			ps.stdout.on('data', (d) => (out += d));
			ps.on('close', () =>
				resolve(
					out
						.split('\n')
						.map(Number)
						.filter((kb) => Number.isFinite(kb) && kb > 0)
				)
			);
		});
	return Promise.all([rssOf(['-p', String(pid)]), rssOf(['--ppid', String(pid)])]).then(([own, children]) => {
		if (!own.length) throw new Error(`No such process ${pid}`);
		return [...own, ...children].reduce((a, b) => a + b, 0) / 1024;
	});
}

/** Polls a URL until it answers 200; returns when it did. */
export async function waitForOk(url: string, timeoutMs = 60_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		try {
			const response = await fetch(url);
			if (response.ok) return;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
		await new Promise((resolve) => setTimeout(resolve, 5));
	}
}
