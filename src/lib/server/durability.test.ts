import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { expect, it } from 'vitest';
import { build, buildIsStale } from '../../cli/build.ts';
import { crashUnderLoad, describeCrash } from '#lib/server/testing/crash.ts';
import { createTestDatabase } from '#lib/server/testing/database.ts';
import { isEmbedded } from '#lib/server/platform/db/database.ts';

/*
 * An acknowledged write survives the death of the server, on both engines: the built server under a burst
 * of supports, comments and priority ballots from 20 members with API tokens is killed with SIGKILL (it
 * and its workers), the database is opened again, and every write answered 2xx must be there. On the
 * embedded database this is the server's own process dying with the database inside it (issue 9: supports
 * that committed asynchronously were lost); on PostgreSQL the database server lives on. See
 * testing/crash.ts and docs/decisions/0010.
 */

const onPostgres = process.env.CAUCUS_TEST_DB === 'postgres';

async function withFreshPostgres<T>(work: (url: string) => Promise<T>): Promise<T> {
	const serverUrl = process.env.TEST_DATABASE_URL;
	if (!serverUrl) throw new Error('CAUCUS_TEST_DB=postgres needs TEST_DATABASE_URL');
	const name = `caucus_crash_${randomBytes(6).toString('hex')}`;
	const admin = async (text: string) => {
		const client = new pg.Client({ connectionString: serverUrl });
		await client.connect();
		try {
			await client.query(text);
		} finally {
			await client.end();
		}
	};
	await admin(`create database ${name}`);
	try {
		const url = new URL(serverUrl);
		url.pathname = `/${name}`;
		return await work(url.toString());
	} finally {
		await admin(`drop database if exists ${name} with (force)`);
	}
}

it('tells the embedded database from a PostgreSQL server, in a transaction too (supports commit asynchronously only on a server)', async () => {
	const t = await createTestDatabase();
	try {
		expect(isEmbedded(t.db)).toBe(!onPostgres);
		expect(await t.db.transaction().execute(async (tx) => isEmbedded(tx))).toBe(!onPostgres);
	} finally {
		await t.close();
	}
});

it('keeps every acknowledged support, comment and ballot when the server is killed with SIGKILL mid-burst', async () => {
	// The server runs as users get it, built; like the browser journeys, build first if sources changed.
	if (buildIsStale()) build();
	const run = (databaseUrl?: string) => crashUnderLoad({ databaseUrl, clients: 20, burstMs: 3000, supportsOnlyMs: 1200 });
	const result = onPostgres ? await withFreshPostgres(run) : await run();
	console.log(describeCrash(result));

	// The burst really wrote all three kinds, and nothing failed before the kill.
	expect(result.failedBeforeKill).toEqual({});
	expect(result.supports.acknowledged).toBeGreaterThanOrEqual(20);
	expect(result.comments.acknowledged).toBeGreaterThan(0);
	expect(result.ballots.acknowledged).toBeGreaterThan(0);

	expect(result.supports.lost).toBe(0);
	expect(result.comments.lost).toBe(0);
	expect(result.ballots.lost).toBe(0);
	// Each need's stored count agrees with its support rows after recovery.
	expect(result.countsOff).toBe(0);
}, 420_000);
