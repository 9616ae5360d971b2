import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { PREPARED } from './database.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());

describe('statements marked PREPARED', () => {
	it('answer like any other statement, with their parameters, on every run', async () => {
		for (const n of [1, 2, 3, 7, 11, 13]) {
			const result = await sql<{ doubled: number; label: string }>`${PREPARED} select ${n}::int * 2 as doubled, ${`n${n}`}::text as label`.execute(t.db);
			expect(result.rows).toEqual([{ doubled: n * 2, label: `n${n}` }]);
		}
	});

	it('are prepared once on a PostgreSQL connection and reused there', async () => {
		if (t.kind !== 'postgres') return; // the embedded database ignores the mark
		await t.db.transaction().execute(async (tx) => {
			const prepared = async () =>
				(
					await sql<{
						n: number;
					}>`select count(*)::int as n from pg_prepared_statements where name like 'caucus\\_%' and statement like '%prepared-test%'`.execute(tx)
				).rows[0].n;
			expect(await prepared()).toBe(0);
			for (let i = 0; i < 3; i++) await sql`${PREPARED} select ${i}::int as i /* prepared-test */`.execute(tx);
			expect(await prepared()).toBe(1);
		});
	});
});
