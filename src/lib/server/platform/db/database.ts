import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import {
	Kysely,
	PGliteAdapter,
	PGliteDialect,
	PostgresDialect,
	sql,
	type PostgresCursor,
	type PostgresPool,
	type PostgresPoolClient,
	type Transaction
} from 'kysely';
import type { Config } from '../config.ts';
import { lockDataDir } from './lock.ts';
import { log } from '../log.ts';
import type { Database } from './schema.ts';

export type { Database } from './schema.ts';
export type Db = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Data functions take either the database or a transaction; the caller owns the transaction. */
export type Executor = Db | Tx;

const INT8 = 20;
const NUMERIC = 1700;
const DATE = 1082;
// Counts and identities are int8; they stay far below 2^53, so numbers are safe and friendlier than strings.
const parseInt8 = (value: string) => Number(value);
// A calendar date has no time zone; as a JS Date it would shift with the server's zone.
const keepDate = (value: string) => value;

export interface OpenDatabase {
	db: Db;
	kind: 'pglite' | 'postgres';
	close(): Promise<void>;
}

/**
 * Whether an executor (the database or a transaction on it) is the embedded database (PGlite) rather than
 * a PostgreSQL server: asked of its dialect's adapter, so it holds for every way a Kysely over PGlite is
 * made (openDatabase, the test databases, the benchmarks). The two differ in one way that matters to
 * commands: durability, see `openPglite`.
 */
export function isEmbedded(db: Executor): boolean {
	return db.getExecutor().adapter instanceof PGliteAdapter;
}

export async function openDatabase(database: Config['database'], options: { poolSize?: number } = {}): Promise<OpenDatabase> {
	if (database.kind === 'postgres') {
		const pg = await import('pg');
		pg.default.types.setTypeParser(INT8, parseInt8);
		pg.default.types.setTypeParser(NUMERIC, (value: string) => Number(value));
		pg.default.types.setTypeParser(DATE, keepDate);
		const pool = new pg.default.Pool({ connectionString: database.url, max: options.poolSize ?? 10 });
		// An idle connection the server drops (restart, failover, a dropped test database) must not crash the
		// process; the pool replaces it on the next query.
		pool.on('error', (error) => log.warn({ err: error }, 'idle PostgreSQL connection lost'));
		const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparingPool(pool) }) });
		return { db, kind: 'postgres', close: () => db.destroy() };
	}
	const unlock = lockDataDir(database.dataDir, process.argv.slice(1).join(' '));
	try {
		const pglite = await openPglite(database.dataDir);
		const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
		return {
			db,
			kind: 'pglite',
			async close() {
				await db.destroy();
				unlock();
			}
		};
	} catch (error) {
		unlock();
		throw error;
	}
}

/**
 * Marks a statement to be prepared once per connection and reused: put it first in the statement's text
 * (sql`${PREPARED} select …`). For the few hot statements whose planning costs as much as running them
 * (the support and withdrawal statements): PostgreSQL parses a prepared statement once and, after five
 * runs, may keep one generic plan. Only statements with a fixed text belong here; every distinct text
 * stays prepared on every pooled connection for its lifetime. The embedded database ignores the mark.
 */
export const PREPARED_MARK = '/* prepared */';
export const PREPARED = sql.raw(PREPARED_MARK);

/** Statement names by text: a short hash, so equal texts share one prepared statement on a connection. */
const statementNames = new Map<string, string>();
function statementName(text: string): string {
	let name = statementNames.get(text);
	if (!name) {
		name = `caucus_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
		statementNames.set(text, name);
	}
	return name;
}

/** The pool as Kysely uses it, sending statements that start with PREPARED_MARK as named prepared statements. */
function preparingPool(pool: import('pg').Pool): PostgresPool {
	// One wrapper per pooled connection: Kysely keys its connection state by the client object it gets.
	const wrappers = new WeakMap<import('pg').PoolClient, PostgresPoolClient>();
	const wrap = (client: import('pg').PoolClient): PostgresPoolClient =>
		({
			get processID() {
				return (client as { processID?: number }).processID;
			},
			query(textOrCursor: string | PostgresCursor<unknown>, values?: readonly unknown[]) {
				if (typeof textOrCursor !== 'string') return client.query(textOrCursor as never);
				if (textOrCursor.startsWith(PREPARED_MARK)) return client.query({ name: statementName(textOrCursor), text: textOrCursor, values: values as unknown[] });
				return client.query(textOrCursor, values as unknown[]);
			},
			release: (destroy?: boolean) => client.release(destroy)
		}) as unknown as PostgresPoolClient;
	return {
		Client: (pool as unknown as { Client: PostgresPool['Client'] }).Client,
		options: pool.options,
		async connect() {
			const client = await pool.connect();
			let wrapper = wrappers.get(client);
			if (!wrapper) wrappers.set(client, (wrapper = wrap(client)));
			return wrapper;
		},
		end: () => pool.end()
	};
}

/**
 * Opens the embedded PostgreSQL in a folder, or in memory for `memory://`.
 *
 * Durability. PGlite runs PostgreSQL single-user inside this process, and what a commit guarantees follows
 * from that:
 * - There is no WAL writer process. A transaction that commits with `synchronous_commit = off` leaves its
 *   WAL in PostgreSQL's buffers, in this process's memory, until a later synchronous commit or a full
 *   buffer writes it out: if the process dies (kill -9, the OOM killer, a crash), every asynchronous commit
 *   since the last synchronous one is gone, not PostgreSQL's usual fraction of a second. So nothing may
 *   commit asynchronously here (`isEmbedded`; the supports, decision 0010).
 * - A synchronous commit writes its WAL to the files in the data folder (NODEFS: write(2) on the real files)
 *   before it returns; then it survives the death of this process, the operating system still holds it.
 * - PGlite starts PostgreSQL with fsync off (`-F` in its start parameters), and its NODEFS has no fsync
 *   anyway: nothing is forced to the disk. A power cut or a kernel crash may lose recent commits or, as
 *   PostgreSQL's manual warns of fsync = off, damage the data folder. Where that matters, keep copies of
 *   the stopped data folder or run on a PostgreSQL server.
 * - `relaxedDurability` (PGlite's option, off by default and not set here) only defers the copy to the
 *   browser's IndexedDB; on NODEFS there is no such copy and it changes nothing.
 */
export async function openPglite(dataDir: string) {
	const { PGlite, types } = await import('@electric-sql/pglite');
	const { pg_trgm } = await import('@electric-sql/pglite/contrib/pg_trgm');
	if (!dataDir.startsWith('memory://')) mkdirSync(dataDir, { recursive: true });
	return PGlite.create({
		dataDir,
		extensions: { pg_trgm },
		parsers: { [types.INT8]: parseInt8, [types.NUMERIC]: (value: string) => Number(value), [DATE]: keepDate }
	});
}
