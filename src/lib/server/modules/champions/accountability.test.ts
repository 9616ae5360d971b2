import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import type { NeedRow, NeedStatus } from '#lib/server/modules/needs/index.ts';
import { getDashboard, listAccountabilityNeeds, METRICS, type Metric, type MetricCounts } from './accountability.queries.ts';

/*
 * A hand-built community whose numbers are worked out on paper (see each need's comment), then read
 * back through the dashboard and the lists behind its numbers.
 *
 * Cycles: 2026.2 = 2026-07-01..2026-12-31, 2027.1 = 2027-01-01..2027-06-30; today is 2027-03-01.
 */

let t: TestDatabase;
let chair: MemberRow;
let insider: MemberRow;
let outsider: MemberRow;
let admin: MemberRow;
const clock = new TestClock(new Date('2027-03-01T12:00:00Z'));
const ids: Record<string, number> = {};

async function history(need: NeedRow, steps: [NeedStatus, string][]) {
	let from: NeedStatus | null = 'new';
	for (const [to, day] of steps) {
		await t.db
			.insertInto('need_status_change')
			.values({ need_id: need.id, from_status: from, to_status: to, reason: 'Scenario.', actor_id: chair.id, at: new Date(`${day}T10:00:00Z`) })
			.execute();
		from = to;
	}
	await t.db
		.updateTable('need')
		.set({ status: steps.at(-1)![0] })
		.where('id', '=', need.id)
		.execute();
}

let trackerId = 0;
async function handoff(need: NeedRow, status: 'handed_upstream' | 'in_progress' | 'delivered', lastUpstreamChange: string) {
	await t.db
		.insertInto('handoff')
		.values({
			need_id: need.id,
			tracker_id: trackerId,
			kind: 'feature',
			upstream_key: `K-${need.id}`,
			upstream_url: `https://tracker.example.org/K-${need.id}`,
			title: need.title,
			status,
			created_at: new Date('2027-01-01T00:00:00Z'),
			upstream_updated_at: new Date(`${lastUpstreamChange}T10:00:00Z`)
		})
		.execute();
}

beforeAll(async () => {
	t = await createTestDatabase();
	chair = await buildMember(t.db);
	insider = await buildMember(t.db);
	outsider = await buildMember(t.db);
	admin = await buildMember(t.db, { isAdmin: true });
	const open = await buildGroup(t.db, { slug: 'ops', chair });
	const closed = await buildGroup(t.db, { slug: 'secret-ops', visibility: 'closed', chair });
	await addMembership(t.db, closed, insider);
	const created = new Date('2026-01-01T00:00:00Z');
	await t.db
		.insertInto('cycle')
		.values([
			{ slug: '2026.2', name: '2026.2', starts_on: '2026-07-01', ends_on: '2026-12-31', created_at: created },
			{ slug: '2027.1', name: '2027.1', starts_on: '2027-01-01', ends_on: '2027-06-30', created_at: created }
		])
		.execute();
	trackerId = Number(
		(
			await t.db
				.insertInto('tracker')
				.values({ name: 'Demo', provider: 'github', base_url: 'https://api.github.com', project: 'o/r', created_at: created, updated_at: created })
				.returning('id')
				.executeTakeFirstOrThrow()
		).id
	);
	const need = async (name: string, options: Parameters<typeof buildNeed>[1] = {}) => {
		const row = await buildNeed(t.db, { group: open, title: `Scenario need ${name}`, ...options });
		ids[name] = row.id;
		return row;
	};
	// A: accepted in 2026.2, handed 2027-01-11 (41 days), delivered 2027-02-10 (30 days later).
	const a = await need('A', { components: ['nova'] });
	await history(a, [
		['accepted', '2026-12-01'],
		['handed_upstream', '2027-01-11'],
		['delivered', '2027-02-10']
	]);
	await handoff(a, 'delivered', '2027-02-10');
	// B: accepted 2027-01-05, handed 10 days later, no upstream change since 2027-01-15: stalled at 30 days.
	const b = await need('B', { components: ['nova'] });
	await history(b, [
		['accepted', '2027-01-05'],
		['handed_upstream', '2027-01-15']
	]);
	await handoff(b, 'handed_upstream', '2027-01-15');
	// C: accepted in the cycle, nothing since.
	const c = await need('C', { components: ['neutron'] });
	await history(c, [['accepted', '2027-01-10']]);
	// D: delivered in 2026.2, so closed before 2027.1 began.
	const d = await need('D', { components: ['neutron'] });
	await history(d, [
		['accepted', '2026-08-01'],
		['handed_upstream', '2026-09-01'],
		['delivered', '2026-10-01']
	]);
	// E: accepted in 2026.2, declined during 2027.1: counts in both, declined in 2027.1.
	const e = await need('E');
	await history(e, [
		['accepted', '2026-10-01'],
		['declined', '2027-01-20']
	]);
	// F: never accepted.
	const f = await need('F', { components: ['nova'] });
	await history(f, [['triaged', '2027-01-02']]);
	// G: accepted after today (a clock ahead of the data cannot count it yet).
	const g = await need('G');
	await history(g, [['accepted', '2027-04-01']]);
	// H: accepted 2027-02-01, handed 20 days later, in progress with a change 4 days ago.
	const h = await need('H', { components: ['neutron'] });
	await history(h, [
		['accepted', '2027-02-01'],
		['handed_upstream', '2027-02-21'],
		['in_progress', '2027-02-25']
	]);
	await handoff(h, 'in_progress', '2027-02-25');
	// X: the closed group's unpublished need, handed a day after acceptance: only its members count it.
	const x = await buildNeed(t.db, { group: closed, title: 'Scenario need X' });
	ids.X = x.id;
	await history(x, [
		['accepted', '2027-01-02'],
		['handed_upstream', '2027-01-03']
	]);
	// Y: hidden; counted for nobody.
	const y = await need('Y', { hiddenAt: new Date('2027-01-04T00:00:00Z'), hiddenReason: 'Spam.' });
	await history(y, [['accepted', '2027-01-03']]);
});
afterAll(() => t?.close());

const as = (who: MemberRow | null) => ctxFor(t.db, who, clock);

/** Every page of a metric's list, as need names. */
async function listed(who: MemberRow | null, query: Record<string, unknown>): Promise<string[]> {
	const names: string[] = [];
	let after: number | undefined;
	for (;;) {
		const page = await listAccountabilityNeeds(as(who), { ...query, after, limit: 2 });
		names.push(...page!.needs.map((n) => n.title.replace('Scenario need ', '')));
		if (page!.next === null) break;
		after = page!.next;
	}
	return names.sort();
}

describe('the accountability dashboard', () => {
	it('counts a running cycle’s needs by state, handed and delivered, with exact medians and stalled handoffs', async () => {
		const board = (await getDashboard(as(null), { cycle: '2027.1' }))!;
		expect(board.scope.cycle.slug).toBe('2027.1');
		expect(board.totals).toEqual({
			inScope: 5,
			byState: { new: 0, triaged: 0, accepted: 1, handed_upstream: 1, in_progress: 1, delivered: 1, declined: 1, duplicate: 0 },
			handedInCycle: 3,
			deliveredInCycle: 1,
			stalled: 1,
			medianAcceptedToHanded: 20,
			medianHandedToDelivered: 30,
			acceptedToHandedCount: 3,
			handedToDeliveredCount: 1
		});
		expect(await listed(null, { cycle: '2027.1', metric: 'in_scope' })).toEqual(['A', 'B', 'C', 'E', 'H']);
		expect(await listed(null, { cycle: '2027.1', metric: 'accepted_to_handed' })).toEqual(['A', 'B', 'H']);
		expect(await listed(null, { cycle: '2027.1', metric: 'stalled' })).toEqual(['B']);
		const stalled = await listAccountabilityNeeds(as(null), { cycle: '2027.1', metric: 'stalled' });
		expect(stalled!.needs[0]).toMatchObject({ stalled: true, lastUpstreamChangeAt: new Date('2027-01-15T10:00:00Z'), daysAcceptedToHanded: 10 });
	});

	it('defaults to the cycle running today', async () => {
		expect((await getDashboard(as(null), {}))!.scope.cycle.slug).toBe('2027.1');
	});

	it('reads a past cycle as it stood at its end', async () => {
		const board = (await getDashboard(as(null), { cycle: '2026.2', group: 'ops' }))!;
		expect(board.totals).toMatchObject({
			inScope: 3,
			byState: { accepted: 2, delivered: 1, declined: 0, handed_upstream: 0 },
			handedInCycle: 1,
			deliveredInCycle: 1,
			medianAcceptedToHanded: 31,
			medianHandedToDelivered: 30
		});
		const list = await listAccountabilityNeeds(as(null), { cycle: '2026.2', metric: 'state_accepted' });
		// A is accepted at 2026.2's end though delivered today; the list shows both.
		expect(list!.needs.map((n) => [n.title.slice(-1), n.stateInCycle, n.status])).toEqual([
			['E', 'accepted', 'declined'],
			['A', 'accepted', 'delivered']
		]);
	});

	it('counts stalled handoffs against the number of days asked for', async () => {
		expect((await getDashboard(as(null), { cycle: '2027.1', days: 3 }))!.totals.stalled).toBe(2);
		expect((await getDashboard(as(null), { cycle: '2027.1', days: 60 }))!.totals.stalled).toBe(0);
	});

	it('counts by component, needs without one on their own row', async () => {
		const board = (await getDashboard(as(null), { cycle: '2027.1' }))!;
		const rows = Object.fromEntries(board.components.map((r) => [r.component?.slug ?? 'none', r]));
		expect(Object.keys(rows).sort()).toEqual(['neutron', 'none', 'nova']);
		expect(rows.nova).toMatchObject({
			inScope: 2,
			handedInCycle: 2,
			deliveredInCycle: 1,
			stalled: 1,
			medianAcceptedToHanded: 25.5,
			medianHandedToDelivered: 30
		});
		expect(rows.neutron).toMatchObject({ inScope: 2, byState: { accepted: 1, in_progress: 1 }, medianAcceptedToHanded: 20, medianHandedToDelivered: null });
		expect(rows.none).toMatchObject({ inScope: 1, byState: { declined: 1 } });
	});

	it('never counts a closed group’s unpublished need for outsiders, and counts it for its members', async () => {
		for (const who of [null, outsider]) {
			const board = (await getDashboard(as(who), { cycle: '2027.1' }))!;
			expect(board.totals.inScope).toBe(5);
			expect(board.totals.medianAcceptedToHanded).toBe(20);
			expect((await getDashboard(as(who), { cycle: '2027.1', group: 'secret-ops' }))!.totals.inScope).toBe(0);
			expect(await listed(who, { cycle: '2027.1', group: 'secret-ops', metric: 'in_scope' })).toEqual([]);
		}
		for (const who of [insider, admin]) {
			const board = (await getDashboard(as(who), { cycle: '2027.1' }))!;
			expect(board.totals).toMatchObject({ inScope: 6, handedInCycle: 4, medianAcceptedToHanded: 15 });
			expect(await listed(who, { cycle: '2027.1', group: 'secret-ops', metric: 'handed_in_cycle' })).toEqual(['X']);
		}
	});

	it('lists exactly the needs behind every number: totals and each component row', async () => {
		const count = (c: MetricCounts, m: Metric): number =>
			m === 'in_scope'
				? c.inScope
				: m.startsWith('state_')
					? c.byState[m.slice('state_'.length) as NeedStatus]
					: {
							handed_in_cycle: c.handedInCycle,
							delivered_in_cycle: c.deliveredInCycle,
							stalled: c.stalled,
							accepted_to_handed: c.acceptedToHandedCount,
							handed_to_delivered: c.handedToDeliveredCount
						}[m as 'stalled'];
		const ids = async (who: MemberRow | null, query: Record<string, unknown>) =>
			(await listAccountabilityNeeds(as(who), { ...query, limit: 500 }))!.needs.length;
		let checked = 0;
		for (const who of [null, insider]) {
			for (const cycle of ['2026.2', '2027.1']) {
				for (const group of ['', 'secret-ops']) {
					const board = (await getDashboard(as(who), { cycle, group }))!;
					for (const metric of METRICS) {
						expect(await ids(who, { cycle, group, metric }), `${cycle} ${group} ${metric}`).toBe(count(board.totals, metric));
						for (const row of board.components) {
							const component = row.component?.slug ?? 'none';
							expect(await ids(who, { cycle, group, metric, component }), `${cycle} ${group} ${metric} ${component}`).toBe(count(row, metric));
							checked++;
						}
					}
				}
			}
		}
		expect(checked).toBeGreaterThan(50);
	});

	it('refuses an unknown cycle, group or component with a field error', async () => {
		const failure = (p: Promise<unknown>) =>
			p.then(
				() => null,
				(e: { code: string; fields: Record<string, string> }) => e
			);
		expect(await failure(getDashboard(as(null), { cycle: '1999.9' }))).toMatchObject({
			code: 'invalid_input',
			fields: { cycle: expect.stringContaining('1999.9') }
		});
		expect(await failure(getDashboard(as(null), { cycle: '2027.1', group: 'nope' }))).toMatchObject({
			code: 'invalid_input',
			fields: { group: expect.any(String) }
		});
		expect(await failure(listAccountabilityNeeds(as(null), { component: 'nope' }))).toMatchObject({
			code: 'invalid_input',
			fields: { component: expect.any(String) }
		});
		expect(await failure(listAccountabilityNeeds(as(null), { metric: 'everything' }))).toMatchObject({
			code: 'invalid_input',
			fields: { metric: expect.any(String) }
		});
		expect(await failure(getDashboard(as(null), { days: 0 }))).toMatchObject({ code: 'invalid_input', fields: { days: expect.any(String) } });
	});
});
