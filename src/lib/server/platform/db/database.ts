import { mkdirSync } from 'node:fs';
import { Kysely, PGliteDialect, PostgresDialect, type Transaction } from 'kysely';
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
		const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
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
