import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { createCycle, cycleOn, findCycle, listCycles, updateCycle, type CycleInput } from './index.ts';

let t: TestDatabase;
let admin: MemberRow;
let member: MemberRow;
const clock = new TestClock();
beforeAll(async () => {
	t = await createTestDatabase();
	admin = await buildMember(t.db, { isAdmin: true });
	member = await buildMember(t.db);
});
afterAll(() => t?.close());

const as = (who: MemberRow | null) => ctxFor(t.db, who, clock);
const failure = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(error: unknown) => error as { code: string; fields: Record<string, string> }
	);

describe('cycles administration', () => {
	it('an administrator adds a cycle, names default to the slug, and the day finds it', async () => {
		const cycle = await createCycle(as(admin), { slug: '2027.1', startsOn: '2027-01-01', endsOn: '2027-06-30' });
		expect(cycle).toMatchObject({ slug: '2027.1', name: '2027.1', startsOn: '2027-01-01', endsOn: '2027-06-30' });
		expect((await cycleOn(t.db, new Date('2027-03-15T10:00:00Z')))?.slug).toBe('2027.1');
		const log = await t.db.selectFrom('activity').selectAll().where('action', '=', 'cycle.created').execute();
		expect(log).toHaveLength(1);
	});

	it('an administrator renames and re-dates a cycle; the old slug is gone', async () => {
		await createCycle(as(admin), { slug: '2027.2', name: 'Second half', startsOn: '2027-07-01', endsOn: '2027-12-31' });
		const changed = await updateCycle(as(admin), '2027.2', { slug: '2027.3', name: 'Renamed', startsOn: '2027-07-02', endsOn: '2027-12-30' });
		expect(changed).toMatchObject({ slug: '2027.3', name: 'Renamed', startsOn: '2027-07-02' });
		expect(await findCycle(t.db, '2027.2')).toBeNull();
		expect((await listCycles(t.db))[0].slug).toBe('2027.3');
	});

	it('visitors and members may not create or change cycles', async () => {
		const input = { slug: '2030.1', startsOn: '2030-01-01', endsOn: '2030-06-30' };
		expect((await failure(createCycle(as(null), input)))?.code).toBe('unauthenticated');
		expect((await failure(createCycle(as(member), input)))?.code).toBe('forbidden');
		expect((await failure(updateCycle(as(member), '2027.1', input)))?.code).toBe('forbidden');
		expect(await findCycle(t.db, '2030.1')).toBeNull();
	});

	it('refuses a badly named cycle, an impossible date, dates out of order and a taken slug', async () => {
		const bad = async (input: CycleInput) => (await failure(createCycle(as(admin), input)))?.fields ?? {};
		expect((await bad({ slug: 'spring', startsOn: '2031-01-01', endsOn: '2031-02-01' })).slug).toMatch(/2027\.1/);
		expect((await bad({ slug: '2031.1', startsOn: '2031-02-30', endsOn: '2031-03-01' })).startsOn).toMatch(/calendar/);
		expect((await bad({ slug: '2031.1', startsOn: '2031-05-01', endsOn: '2031-04-01' })).endsOn).toMatch(/ends on or after/);
		const taken = await failure(createCycle(as(admin), { slug: '2027.1', startsOn: '2031-01-01', endsOn: '2031-02-01' }));
		expect(taken).toMatchObject({ code: 'conflict', fields: { slug: expect.any(String) } });
		expect((await failure(updateCycle(as(admin), '1999.1', { slug: '1999.1', startsOn: '1999-01-01', endsOn: '1999-02-01' })))?.code).toBe('not_found');
	});
});
