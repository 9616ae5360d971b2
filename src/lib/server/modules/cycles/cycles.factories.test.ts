import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { cycleOn, findCycle, listCycles } from './index.ts';
import { buildCycle } from './cycles.factories.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());

describe('buildCycle', () => {
	it('builds distinct, non-overlapping cycles the queries read like created ones', async () => {
		const a = await buildCycle(t.db);
		const b = await buildCycle(t.db);
		expect(a.slug).toMatch(/^\d{4}\.\d{1,2}$/);
		expect(a.slug).not.toBe(b.slug);
		expect(a.starts_on <= a.ends_on).toBe(true);
		expect(b.starts_on > a.ends_on).toBe(true);
		expect(await findCycle(t.db, a.slug)).toEqual({ id: a.id, slug: a.slug, name: a.slug, startsOn: a.starts_on, endsOn: a.ends_on });
		expect((await cycleOn(t.db, new Date(`${b.starts_on}T12:00:00Z`)))?.id).toBe(b.id);
		expect((await listCycles(t.db)).map((c) => c.id)).toEqual([b.id, a.id]);
	});

	it('takes overrides, dates as the table stores them', async () => {
		const c = await buildCycle(t.db, { slug: '2027.2', name: 'Second half', startsOn: '2027-07-01', endsOn: '2027-12-31' });
		expect(c).toMatchObject({ slug: '2027.2', name: 'Second half', starts_on: '2027-07-01', ends_on: '2027-12-31' });
		expect((await cycleOn(t.db, new Date('2027-12-31T23:00:00Z')))?.slug).toBe('2027.2');
	});

	it('the table still refuses what it refuses: a taken slug, dates out of order', async () => {
		await expect(buildCycle(t.db, { slug: '2027.2' })).rejects.toThrow();
		await expect(buildCycle(t.db, { startsOn: '2031-05-01', endsOn: '2031-04-01' })).rejects.toThrow();
	});
});
