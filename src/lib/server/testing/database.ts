import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Db } from '#lib/server/platform/db/database.ts';
import { installModules, migrate } from '#lib/server/modules.ts';

export interface TestDatabase {
	db: Db;
	kind: 'pglite' | 'postgres';
	close(): Promise<void>;
}

/**
 * A clean, migrated database for one test file: an in-memory PGlite, or with CAUCUS_TEST_DB=postgres a
 * fresh database on TEST_DATABASE_URL's server, dropped again on close.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
	// Tests start from the composition root like the server: the modules' jobs and hooks are installed.
	installModules();
	if (process.env.CAUCUS_TEST_DB !== 'postgres') {
		const opened = await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
		await migrate(opened.db);
		return { db: opened.db, kind: 'pglite', close: opened.close };
	}
	const serverUrl = process.env.TEST_DATABASE_URL;
	if (!serverUrl) throw new Error('CAUCUS_TEST_DB=postgres needs TEST_DATABASE_URL, e.g. postgres://postgres@127.0.0.1:5432/postgres');
	const name = `caucus_test_${randomBytes(6).toString('hex')}`;
	const admin = new pg.Client({ connectionString: serverUrl });
	await admin.connect();
	await admin.query(`create database ${name}`);
	await admin.end();
	const url = new URL(serverUrl);
	url.pathname = `/${name}`;
	const opened = await openDatabase({ kind: 'postgres', url: url.toString() }, { poolSize: 5 });
	await migrate(opened.db);
	return {
		db: opened.db,
		kind: 'postgres',
		async close() {
			await opened.close();
			const dropper = new pg.Client({ connectionString: serverUrl });
			await dropper.connect();
			await dropper.query(`drop database if exists ${name} with (force)`);
			await dropper.end();
		}
	};
}
