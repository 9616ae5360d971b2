// The bare baseline of the needs benchmark: a minimal node:http server that answers each path by replaying
// the SQL the app ran for that page (captured once from the app's own route code, see capture.ts) through
// `pg` (or PGlite for the embedded figures) and writing the rows as JSON. Nothing else: no routing
// framework, no rendering, no validation, no auth.
//
//   BASELINE_QUERIES=/tmp/q.json DATABASE_URL=postgres://… node bench/baseline-server.ts
//   BASELINE_QUERIES=/tmp/q.json CAUCUS_DATA=/tmp/pglite-dir node bench/baseline-server.ts
//
// It prints "Baseline listening at http://127.0.0.1:<port>" once it listens.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { CapturedPlan } from './capture.ts';

type Run = (text: string, values: unknown[]) => Promise<unknown[]>;

const plans: Record<string, CapturedPlan> = JSON.parse(readFileSync(process.env.BASELINE_QUERIES!, 'utf8'));
const poolSize = Number(process.env.BASELINE_POOL ?? 10);

async function connect(): Promise<{ run: Run; close(): Promise<void> }> {
	if (process.env.DATABASE_URL) {
		const { default: pg } = await import('pg');
		// The app's type parsers: int8 and numeric as numbers.
		pg.types.setTypeParser(20, (v: string) => Number(v));
		pg.types.setTypeParser(1700, (v: string) => Number(v));
		const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: poolSize });
		return { run: async (text, values) => (await pool.query(text, values)).rows, close: () => pool.end() };
	}
	const { openPglite } = await import('#lib/server/platform/db/database.ts');
	const pglite = await openPglite(process.env.CAUCUS_DATA!);
	return { run: async (text, values) => (await pglite.query(text, values)).rows, close: () => pglite.close() };
}

const db = await connect();

/** Runs a captured plan: its waves one after another, the queries of a wave concurrently (as the app's Promise.all did). */
async function replay(plan: CapturedPlan): Promise<unknown[][]> {
	const results: unknown[][] = [];
	for (const wave of plan.waves) {
		const rows = await Promise.all(wave.map((q) => db.run(q.sql, q.parameters)));
		results.push(...rows);
	}
	return results;
}

const server = createServer(async (req, res) => {
	const path = (req.url ?? '/').split('?')[0];
	const plan = plans[path];
	if (!plan) {
		res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"no such plan"}');
		return;
	}
	try {
		const body = JSON.stringify({ results: await replay(plan) });
		res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
	} catch (error) {
		res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: (error as Error).message }));
	}
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
	const address = server.address();
	if (address && typeof address === 'object') console.log(`Baseline listening at http://127.0.0.1:${address.port}`);
});
const stop = () => server.close(() => void db.close().then(() => process.exit(0)));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
