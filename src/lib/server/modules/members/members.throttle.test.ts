import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { openDatabase } from '#lib/server/platform/db/database.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import { signIn, signUp } from './members.commands.ts';
import { countMembers } from './members.queries.ts';
import { buildMember } from './members.factories.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
	// The web takes sign-ups only once the site has its administrator.
	await buildMember(t.db, { isAdmin: true });
});
afterAll(() => t?.close());

/** Runs every call at once and tallies how each ended: by error code, or 'ok'. */
async function outcomes(calls: (() => Promise<unknown>)[]): Promise<Record<string, number>> {
	const settled = await Promise.allSettled(calls.map((call) => call()));
	const tally: Record<string, number> = {};
	for (const result of settled) {
		const key = result.status === 'fulfilled' ? 'ok' : ((result.reason as { code?: string }).code ?? String(result.reason));
		tally[key] = (tally[key] ?? 0) + 1;
	}
	return tally;
}

const failuresOf = async (column: 'account' | 'address', value: string) =>
	Number(
		(
			await t.db
				.selectFrom('sign_in_attempt')
				.select((eb) => eb.fn.countAll<number>().as('n'))
				.where(column, '=', value)
				.where('succeeded', '=', false)
				.executeTakeFirstOrThrow()
		).n
	);

describe('the sign-in limit under concurrency (5 failures per account, 20 per address, in 15 minutes)', () => {
	it('checks the password of only 5 of 40 simultaneous wrong attempts on one account; the rest are refused', async () => {
		const clock = new TestClock();
		const ctx = ctxFor(t.db, null, clock);
		await signUp(ctx, { email: 'race@example.org', password: 'race password 1', handle: 'race', displayName: 'Race' });
		const tally = await outcomes(
			Array.from(
				{ length: 40 },
				(_, i) => () => signIn(ctx, { email: 'race@example.org', password: `wrong ${i}` }, { address: `198.51.100.${i}`, userAgent: null })
			)
		);
		expect(tally).toEqual({ invalid_input: 5, rate_limited: 35 });
		expect(await failuresOf('account', 'race@example.org')).toBe(5);
		// The right password is refused too until the window passes, and the message says where to turn.
		const locked = await signIn(ctx, { email: 'race@example.org', password: 'race password 1' }, { address: '198.51.100.99', userAgent: null }).catch((e) => e);
		expect(locked).toMatchObject({ code: 'rate_limited' });
		expect(locked.message).toMatch(/ask an administrator for a reset link/);
		clock.advance(16 * 60_000);
		await expect(signIn(ctx, { email: 'race@example.org', password: 'race password 1' }, { address: '198.51.100.99', userAgent: null })).resolves.toBeTruthy();
	});

	it('lets at most 20 simultaneous wrong attempts from one address through, across accounts', async () => {
		const ctx = ctxFor(t.db, null, new TestClock());
		const tally = await outcomes(
			Array.from(
				{ length: 40 },
				(_, i) => () => signIn(ctx, { email: `nobody${i}@example.org`, password: 'wrong' }, { address: '203.0.113.7', userAgent: null })
			)
		);
		expect(tally).toEqual({ invalid_input: 20, rate_limited: 20 });
		expect(await failuresOf('address', '203.0.113.7')).toBe(20);
	});

	it('a success does not count as a failure', async () => {
		const ctx = ctxFor(t.db, null, new TestClock(new Date('2026-11-26T12:00:00Z')));
		await signUp(ctx, { email: 'fine@example.org', password: 'fine password 1', handle: 'fine', displayName: 'Fine' });
		for (let i = 0; i < 8; i++) await signIn(ctx, { email: 'fine@example.org', password: 'fine password 1' }, { address: '192.0.2.44', userAgent: null });
		expect(await failuresOf('account', 'fine@example.org')).toBe(0);
	});

	it.runIf(process.env.CAUCUS_TEST_DB === 'postgres')('holds across processes: two connection pools racing on one account still pass only 5', async () => {
		const { name } = (await t.db.selectNoFrom((eb) => eb.fn<string>('current_database').as('name')).executeTakeFirstOrThrow()) as { name: string };
		const url = new URL(process.env.TEST_DATABASE_URL!);
		url.pathname = `/${name}`;
		const other = await openDatabase({ kind: 'postgres', url: url.toString() }, { poolSize: 5 });
		try {
			const clock = new TestClock(new Date('2026-11-27T12:00:00Z'));
			const here: Ctx = ctxFor(t.db, null, clock);
			const there: Ctx = ctxFor(other.db, null, clock);
			await signUp(here, { email: 'twice@example.org', password: 'twice password', handle: 'twice', displayName: 'Twice' });
			const tally = await outcomes(
				Array.from(
					{ length: 40 },
					(_, i) => () =>
						signIn(i % 2 ? here : there, { email: 'twice@example.org', password: `wrong ${i}` }, { address: `198.51.100.${100 + i}`, userAgent: null })
				)
			);
			expect(tally).toEqual({ invalid_input: 5, rate_limited: 35 });
		} finally {
			await other.close();
		}
	});
});

describe('the sign-up throttle (5 per address in 60 minutes)', () => {
	it('makes only 5 of 30 simultaneous sign-ups from one address; other addresses are unaffected; the window passes', async () => {
		const clock = new TestClock(new Date('2026-11-28T12:00:00Z'));
		const ctx = ctxFor(t.db, null, clock);
		const before = await countMembers(t.db);
		const tally = await outcomes(
			Array.from(
				{ length: 30 },
				(_, i) => () =>
					signUp(ctx, { email: `flood${i}@example.org`, password: 'a long password', handle: `flood${i}`, displayName: 'Flood' }, { address: '192.0.2.200' })
			)
		);
		expect(tally).toEqual({ ok: 5, rate_limited: 25 });
		expect(await countMembers(t.db)).toBe(before + 5);
		await expect(
			signUp(ctx, { email: 'neighbour@example.org', password: 'a long password', handle: 'neighbour', displayName: 'N' }, { address: '192.0.2.201' })
		).resolves.toBeTruthy();
		clock.advance(61 * 60_000);
		await expect(
			signUp(ctx, { email: 'later@example.org', password: 'a long password', handle: 'later', displayName: 'L' }, { address: '192.0.2.200' })
		).resolves.toBeTruthy();
	});

	it('counts a sign-up refused for a taken e-mail, so probing for accounts is throttled too', async () => {
		const clock = new TestClock(new Date('2026-11-29T12:00:00Z'));
		const ctx = ctxFor(t.db, null, clock);
		await signUp(ctx, { email: 'taken@example.org', password: 'a long password', handle: 'taken', displayName: 'T' });
		const probe = (i: number) =>
			signUp(ctx, { email: 'taken@example.org', password: 'a long password', handle: `probe${i}`, displayName: 'P' }, { address: '192.0.2.202' });
		for (let i = 0; i < 5; i++) await expect(probe(i)).rejects.toMatchObject({ code: 'conflict' });
		await expect(probe(5)).rejects.toMatchObject({ code: 'rate_limited' });
	});

	it('does not throttle the command line, which has no address', async () => {
		const ctx = ctxFor(t.db, null, new TestClock(new Date('2026-11-30T12:00:00Z')));
		for (let i = 0; i < 7; i++) await signUp(ctx, { email: `cli${i}@example.org`, password: 'a long password', handle: `cli${i}`, displayName: 'C' });
	});
});
