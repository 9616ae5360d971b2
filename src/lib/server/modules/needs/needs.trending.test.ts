import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { ensureRecurringJobs, registeredKinds, runDueJobs } from '#lib/server/platform/jobs/index.ts';
import { buildNeed, buildSupport } from './needs.factories.ts';
import { listBoard, TRENDING_DAYS } from './needs.queries.ts';
import { mergeNeed, undoMerge } from './needs.triage.ts';
import { refreshTrending, TRENDING_REFRESH_MS } from './needs.trending.ts';

let t: TestDatabase;
let admin: MemberRow;
const clock = new TestClock(new Date('2026-12-01T12:00:00Z'));
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(clock.now().getTime() - days * DAY);
const people = (n: number) => Promise.all(Array.from({ length: n }, () => buildMember(t.db)));

beforeAll(async () => {
	t = await createTestDatabase();
	admin = await buildMember(t.db, { isAdmin: true });
});
afterAll(() => t?.close());

/** The trending board as a visitor sees it: need id → recent supporters, in board order. */
async function trending(): Promise<Map<number, number>> {
	const board = await listBoard(ctxFor(t.db, null, clock), { sort: 'trending', status: 'all', limit: 100 });
	expect(board.nextCursor).toBeNull();
	return new Map(board.needs.map((r) => [r.id, r.recentSupportCount!]));
}
async function stored(id: number): Promise<number> {
	return (await t.db.selectFrom('need').select('recent_support_count').where('id', '=', id).executeTakeFirstOrThrow()).recent_support_count;
}

describe('the trending rollup', () => {
	it('matches a live count of each family’s recent supporters, each person once, a duplicate’s own count 0', async () => {
		const members = await people(6);
		const roots = await Promise.all(Array.from({ length: 4 }, (_, i) => buildNeed(t.db, { title: `Rollup root ${i}` })));
		const dups = await Promise.all(
			roots.slice(0, 2).flatMap((root, i) => [0, 1].map((j) => buildNeed(t.db, { title: `Rollup duplicate ${i}.${j}`, duplicateOf: root })))
		);
		// Supports spread over the family members, the window's edge and older ones; some people on several needs of one family.
		const ages = [0.5, 3, 13.9, 14.1, 20];
		for (const [k, need] of [...roots, ...dups].entries()) {
			for (const [j, m] of members.entries()) {
				if ((k * 7 + j * 3) % 4 === 0) continue;
				await buildSupport(t.db, need, m, { createdAt: daysAgo(ages[(k + j) % ages.length]) });
			}
		}
		await refreshTrending(t.db, clock.now());
		const since = daysAgo(TRENDING_DAYS);
		const mismatches = await sql<{ id: number }>`
			select n.id from need n
			where n.recent_support_count <> case when n.duplicate_of_id is not null then 0 else (
				select count(distinct s.member_id)::int from support s
				where s.created_at > ${since} and (s.need_id = n.id or s.need_id in (select d.id from need d where d.duplicate_of_id = n.id))
			) end`.execute(t.db);
		expect(mismatches.rows).toEqual([]);
		expect(await Promise.all(dups.map((d) => stored(d.id)))).toEqual([0, 0, 0, 0]);
		expect(await stored(roots[0].id)).toBeGreaterThan(0);
		// Nothing changed since: a second run writes no row.
		expect(await refreshTrending(t.db, clock.now())).toBe(0);
	});

	it('the window slides: a support older than 14 days drops out at the next refresh', async () => {
		const need = await buildNeed(t.db, { title: 'Sliding window need' });
		const [early, late] = await people(2);
		await buildSupport(t.db, need, early, { createdAt: daysAgo(13) });
		await buildSupport(t.db, need, late, { createdAt: daysAgo(1) });
		await refreshTrending(t.db, clock.now());
		expect((await trending()).get(need.id)).toBe(2);

		clock.advance(2 * DAY);
		// Until the refresh, the board shows the last refreshed figure.
		expect((await trending()).get(need.id)).toBe(2);
		await refreshTrending(t.db, clock.now());
		expect((await trending()).get(need.id)).toBe(1);

		clock.advance(13 * DAY);
		await refreshTrending(t.db, clock.now());
		expect(await stored(need.id)).toBe(0);
		expect((await trending()).has(need.id)).toBe(false);
	});

	it('a merge moves the duplicate’s recent supporters to the target at once, and its undo moves them back', async () => {
		const [a, both, b] = await people(3);
		const target = await buildNeed(t.db, { title: 'Merge target for trending' });
		const source = await buildNeed(t.db, { title: 'Merge source for trending' });
		for (const [need, m] of [
			[target, a],
			[target, both],
			[source, both],
			[source, b]
		] as const) {
			await buildSupport(t.db, need, m, { createdAt: daysAgo(1) });
		}
		await refreshTrending(t.db, clock.now());
		let board = await trending();
		expect([board.get(target.id), board.get(source.id)]).toEqual([2, 2]);

		const { merge } = await mergeNeed(ctxFor(t.db, admin, clock), { sourceId: source.id, targetId: target.id, reason: 'Same need.' });
		board = await trending();
		expect(board.get(target.id)).toBe(3);
		expect(board.has(source.id)).toBe(false);
		await refreshTrending(t.db, clock.now());
		expect([await stored(target.id), await stored(source.id)]).toEqual([3, 0]);

		await undoMerge(ctxFor(t.db, admin, clock), merge.id);
		board = await trending();
		expect([board.get(target.id), board.get(source.id)]).toEqual([2, 2]);
		await refreshTrending(t.db, clock.now());
		board = await trending();
		expect([board.get(target.id), board.get(source.id)]).toEqual([2, 2]);
	});

	it('the job is registered, kept queued every five minutes, and refreshes the rollup when it runs', async () => {
		expect(registeredKinds()).toContain('needs.refresh_trending');
		await t.db.deleteFrom('job').execute();
		const need = await buildNeed(t.db, { title: 'Need the job finds' });
		const [m] = await people(1);
		await buildSupport(t.db, need, m, { createdAt: daysAgo(0.1) });

		await ensureRecurringJobs(t.db, clock.now());
		const queued = await t.db.selectFrom('job').selectAll().where('kind', '=', 'needs.refresh_trending').execute();
		expect(queued).toHaveLength(1);
		expect(queued[0]).toMatchObject({ state: 'queued' });
		expect(queued[0].run_at.getTime()).toBe(clock.now().getTime() + TRENDING_REFRESH_MS);
		expect(await runDueJobs(t.db, { now: clock.now, kinds: ['needs.refresh_trending'] })).toEqual([]);
		expect(await stored(need.id)).toBe(0);

		clock.advance(TRENDING_REFRESH_MS);
		const outcomes = await runDueJobs(t.db, { now: clock.now, kinds: ['needs.refresh_trending'] });
		expect(outcomes.map((o) => o.outcome)).toEqual(['done']);
		expect(outcomes[0].lines.join(' ')).toMatch(/^trending: \d+ needs? changed/);
		expect((await trending()).get(need.id)).toBe(1);
		await t.db.deleteFrom('job').execute();
	});
});
