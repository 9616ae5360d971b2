import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { Kysely, PGliteDialect, PostgresDialect, sql, type PostgresCursor, type PostgresPool, type PostgresPoolClient, type Transaction } from 'kysely';
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
	const wrap = (client: import('pg').PoolClient): PostgresPoolClient => ({
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

/** Opens the embedded PostgreSQL in a folder, or in memory for `memory://`. */
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
