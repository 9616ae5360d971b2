import { config, type Config } from './config.ts';
import { openDatabase, type Db, type OpenDatabase } from './db/database.ts';
import type { MigrationResultSet } from 'kysely/migration';
import { log } from './log.ts';

/**
 * The one database handle of a running server. App instances keep nothing else between requests:
 * sessions, rate limits and jobs live in the database.
 *
 * It is held on globalThis because the built server bundles its own copy of this module, and the
 * `caucus serve` process that loaded it must be able to close the same handle on shutdown.
 */
const KEY = Symbol.for('caucus.runtime');
type Holder = { opened?: Promise<OpenDatabase> };
const holder: Holder = ((globalThis as Record<symbol, Holder>)[KEY] ??= {});

/**
 * Opens the configured database and applies `migrate` (the composition root's `migrate`: the kernel does
 * not know the modules' migrations). Later calls return the same handle.
 */
export function startRuntime(migrate: (db: Db) => Promise<MigrationResultSet>, cfg: Config = config()): Promise<OpenDatabase> {
	holder.opened ??= (async () => {
		const database = await openDatabase(cfg.database, { poolSize: cfg.databasePool });
		const result = await migrate(database.db);
		const applied = result.results?.filter((r) => r.status === 'Success').map((r) => r.migrationName) ?? [];
		log.info({ database: database.kind, applied }, 'database ready');
		return database;
	})();
	return holder.opened;
}

/** Serves requests from an already open database: route-level tests hand in their test database. */
export function adoptDatabase(database: OpenDatabase): void {
	holder.opened = Promise.resolve(database);
}

export async function db(): Promise<Db> {
	if (!holder.opened) throw new Error('The runtime has not been started; call startRuntime() first.');
	return (await holder.opened).db;
}

export async function stopRuntime(): Promise<void> {
	if (!holder.opened) return;
	const database = await holder.opened;
	holder.opened = undefined;
	await database.close();
}
