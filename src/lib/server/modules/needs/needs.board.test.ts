import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { Actor } from '#lib/server/platform/context.ts';
import { buildDeployment, buildNeed, buildSupport } from './needs.factories.ts';
import { decodeCursor, encodeCursor, getNeedPage, listBoard, similarNeeds, type BoardInput, type BoardRow } from './needs.queries.ts';
import { refreshTrending } from './needs.trending.ts';
import type { NeedRow } from './needs.tables.ts';

let t: TestDatabase;
const clock = new TestClock(new Date('2026-12-01T12:00:00Z'));
const ctx = (who: MemberRow | Actor | null) => ctxFor(t.db, who, clock);

beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());

/** Walks every page of a board query and returns all rows, checking each page's size. */
async function walk(who: MemberRow | null, input: BoardInput, limit: number): Promise<BoardRow[]> {
	const rows: BoardRow[] = [];
	let cursor = '';
	for (let page = 0; page < 100; page++) {
		const board = await listBoard(ctx(who), { ...input, limit, cursor });
		expect(board.needs.length).toBeLessThanOrEqual(limit);
		rows.push(...board.needs);
		if (!board.nextCursor) return rows;
		expect(board.needs).toHaveLength(limit);
		cursor = board.nextCursor;
	}
	throw new Error('too many pages');
}

describe('the board: sorts and keyset pagination', () => {
	let needs: NeedRow[];
	let people: MemberRow[];

	beforeAll(async () => {
		people = await Promise.all(Array.from({ length: 6 }, () => buildMember(t.db)));
		needs = [];
		// 23 needs with many ties in support counts and in creation times (several share one timestamp,
		// some differ only in microseconds), so pagination must break ties by id.
		for (let i = 0; i < 23; i++) {
			const createdAt = new Date(Date.UTC(2026, 10, 1 + Math.floor(i / 3)));
			needs.push(
				await buildNeed(t.db, {
					title: `Board need ${i} ${i % 2 ? 'quota' : 'network'} trouble`,
					body: i % 5 === 0 ? 'Operators lose hours on the scheduler.' : '',
					createdAt,
					updatedAt: new Date(createdAt.getTime() + (i % 4) * 3_600_000),
					supporters: people.slice(0, i % 4)
				})
			);
		}
		// Microsecond-apart creation times, which a millisecond cursor would mix up.
		await sql`update need set created_at = timestamptz '2026-11-20T00:00:00Z' + (id % 3) * interval '1 microsecond' where id in (${sql.join(needs.slice(0, 6).map((n) => n.id))})`.execute(
			t.db
		);
	});

	const ours = (rows: BoardRow[]) => rows.filter((r) => needs.some((n) => n.id === r.id));
	const expectNoDuplicatesOrGaps = (rows: BoardRow[]) => {
		expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
		expect(ours(rows)).toHaveLength(needs.length);
	};

	it('top: by supporters, then newest id; pages join up with no duplicates or gaps', async () => {
		for (const limit of [1, 4, 7, 100]) {
			const rows = await walk(null, { sort: 'top' }, limit);
			expectNoDuplicatesOrGaps(rows);
			const sorted = [...rows].sort((a, b) => b.supportCount - a.supportCount || b.id - a.id);
			expect(rows.map((r) => r.id)).toEqual(sorted.map((r) => r.id));
		}
	});

	it('new and updated: by time (to the microsecond), then id', async () => {
		const times = await t.db
			.selectFrom('need')
			.select([
				'id',
				sql<string>`(extract(epoch from created_at) * 1000000)::bigint::text`.as('c'),
				sql<string>`(extract(epoch from updated_at) * 1000000)::bigint::text`.as('u')
			])
			.execute();
		const at = new Map(times.map((r) => [r.id, { c: BigInt(r.c), u: BigInt(r.u) }]));
		for (const sort of ['new', 'updated'] as const) {
			const key = sort === 'new' ? 'c' : 'u';
			const rows = await walk(null, { sort }, 5);
			expectNoDuplicatesOrGaps(rows);
			const sorted = [...rows].sort((a, b) => {
				const x = at.get(a.id)![key];
				const y = at.get(b.id)![key];
				return x === y ? b.id - a.id : x > y ? -1 : 1;
			});
			expect(rows.map((r) => r.id)).toEqual(sorted.map((r) => r.id));
		}
	});

	it('trending: needs supported in the last 14 days, by how many people, then id', async () => {
		const recent = new Date(clock.now().getTime() - 3 * 86_400_000);
		const old = new Date(clock.now().getTime() - 30 * 86_400_000);
		const fresh = await Promise.all(Array.from({ length: 5 }, () => buildNeed(t.db, { title: 'Trending need about quotas' })));
		const backers = await Promise.all(Array.from({ length: 4 }, () => buildMember(t.db)));
		for (const [i, need] of fresh.entries()) {
			for (const m of backers.slice(0, 1 + (i % 3))) await buildSupport(t.db, need, m, { createdAt: recent });
		}
		await buildSupport(t.db, needs[0], backers[0], { createdAt: old });
		await refreshTrending(t.db, clock.now());
		const rows = await walk(null, { sort: 'trending' }, 2);
		expect(rows.map((r) => r.id).sort()).toEqual(fresh.map((n) => n.id).sort());
		expect(rows.map((r) => r.recentSupportCount)).toEqual([3, 2, 2, 1, 1]);
		const sorted = [...rows].sort((a, b) => b.recentSupportCount! - a.recentSupportCount! || b.id - a.id);
		expect(rows.map((r) => r.id)).toEqual(sorted.map((r) => r.id));
	});

	it('trending: a person who supported a need and a need merged into it within the fortnight counts once', async () => {
		const recent = new Date(clock.now().getTime() - 2 * 86_400_000);
		const root = await buildNeed(t.db, { title: 'Trending family root' });
		const dupA = await buildNeed(t.db, { title: 'Trending family duplicate a', duplicateOf: root });
		const dupB = await buildNeed(t.db, { title: 'Trending family duplicate b', duplicateOf: root });
		const [both, twoDups, onlyDup] = await Promise.all([buildMember(t.db), buildMember(t.db), buildMember(t.db)]);
		await buildSupport(t.db, root, both, { createdAt: recent });
		await buildSupport(t.db, dupA, both, { createdAt: recent });
		await buildSupport(t.db, dupA, twoDups, { createdAt: recent });
		await buildSupport(t.db, dupB, twoDups, { createdAt: recent });
		await buildSupport(t.db, dupB, onlyDup, { createdAt: recent });
		await refreshTrending(t.db, clock.now());
		const rows = await walk(null, { sort: 'trending', status: 'all' }, 50);
		expect(rows.find((r) => r.id === root.id)).toMatchObject({ recentSupportCount: 3, supportCount: 3 });
		expect(rows.map((r) => r.id)).not.toContain(dupA.id);
	});

	it('search: full text over title and body, ranked by relevance or kept in the asked sort', async () => {
		const scheduler = await walk(null, { q: 'scheduler' }, 2);
		expect(
			ours(scheduler)
				.map((r) => r.id)
				.sort()
		).toEqual(
			needs
				.filter((_, i) => i % 5 === 0)
				.map((n) => n.id)
				.sort()
		);
		expect((await listBoard(ctx(null), { q: 'scheduler' })).options.sort).toBe('relevance');

		const quota = await walk(null, { q: 'quota', sort: 'relevance' }, 3);
		expect(new Set(quota.map((r) => r.id)).size).toBe(quota.length);
		expect(quota.length).toBeGreaterThanOrEqual(11 + 5);
		const quotaTop = await walk(null, { q: 'quota -trending', sort: 'top' }, 4);
		expect(quotaTop.map((r) => r.id).sort()).toEqual(
			needs
				.filter((_, i) => i % 2)
				.map((n) => n.id)
				.sort()
		);
	});

	it('refuses a cursor from another sort, a forged one and bad options, with field errors', async () => {
		const board = await listBoard(ctx(null), { sort: 'top', limit: 2 });
		await expect(listBoard(ctx(null), { sort: 'new', cursor: board.nextCursor })).rejects.toMatchObject({
			code: 'invalid_input',
			fields: { cursor: expect.any(String) }
		});
		for (const cursor of [
			'abc',
			encodeCursor('top', -1, 5),
			Buffer.from('["top",1,"x"]').toString('base64url'),
			encodeCursor('new', 'x; drop table need', 1)
		]) {
			await expect(listBoard(ctx(null), { sort: 'top', cursor })).rejects.toMatchObject({ code: 'invalid_input' });
		}
		expect(() => decodeCursor('new', encodeCursor('new', '1700000000000000', 3))).not.toThrow();
		const error = await listBoard(ctx(null), { sort: 'hot', limit: 1000, status: 'gone', segment: 'martian' }).catch((e) => e);
		expect(Object.keys(error.fields).sort()).toEqual(['limit', 'segment', 'sort', 'status']);
	});
});

describe('the board: filters and counts', () => {
	it('filters by status (duplicates left out by default), kind, component, release, tag, group and supporters’ segment', async () => {
		const group = await buildGroup(t.db, { slug: 'large-scale' });
		const operator = await buildMember(t.db, { segments: ['operator'] });
		const developer = await buildMember(t.db, { segments: ['developer'] });
		const a = await buildNeed(t.db, {
			title: 'Filter target alpha',
			kind: 'bug',
			components: ['cinder'],
			releases: ['2025.1'],
			tags: ['quota'],
			group,
			supporters: [developer]
		});
		const b = await buildNeed(t.db, {
			title: 'Filter target beta',
			kind: 'feature',
			status: 'declined',
			statusReason: 'Out of scope for now.',
			supporters: [developer]
		});
		const dup = await buildNeed(t.db, { title: 'Filter target alpha again', duplicateOf: a });
		await buildSupport(t.db, dup, operator);
		const ids = async (input: BoardInput) => (await walk(null, { ...input, q: 'filter target' }, 50)).map((r) => r.id).sort();

		expect(await ids({})).toEqual([a.id, b.id].sort());
		expect(await ids({ status: 'all' })).toEqual([a.id, b.id, dup.id].sort());
		expect(await ids({ status: 'duplicate' })).toEqual([dup.id]);
		expect(await ids({ status: 'open' })).toEqual([a.id]);
		expect(await ids({ status: 'closed' })).toEqual([b.id]);
		expect(await ids({ status: 'declined' })).toEqual([b.id]);
		expect(await ids({ kind: 'bug' })).toEqual([a.id]);
		expect(await ids({ component: 'Cinder' })).toEqual([a.id]);
		expect(await ids({ component: 'nothing' })).toEqual([]);
		expect(await ids({ release: '2025.1' })).toEqual([a.id]);
		expect(await ids({ tag: 'QUOTA' })).toEqual([a.id]);
		expect(await ids({ group: 'large-scale' })).toEqual([a.id]);
		// The operator supports the duplicate merged into alpha: alpha counts as operator-supported.
		const operators = await listBoard(ctx(null), { q: 'filter target', segment: 'operator' });
		expect(operators.needs.map((r) => [r.id, r.segmentCount])).toEqual([[a.id, 1]]);
		expect(await ids({ segment: 'developer' })).toEqual([a.id, b.id].sort());
		expect(await ids({ segment: 'vendor' })).toEqual([]);
	});

	it('shows supporters as people, organizations and deployments, counting the needs merged in and each person once', async () => {
		const acme1 = await buildMember(t.db, { organization: 'ACME' });
		const acme2 = await buildMember(t.db, { organization: 'acme ' });
		const other = await buildMember(t.db, { organization: 'Globex' });
		const loner = await buildMember(t.db, { organization: null });
		const target = await buildNeed(t.db, { title: 'Counting target need' });
		const dup = await buildNeed(t.db, { title: 'Counting duplicate need', duplicateOf: target });
		const d1 = await buildDeployment(t.db, acme1, { nodes: 100, instances: 2000 });
		const d2 = await buildDeployment(t.db, other, { nodes: 40, instances: null });
		await buildSupport(t.db, target, acme1, { deployment: d1, impact: 'Hours of downtime' });
		await buildSupport(t.db, dup, acme1);
		await buildSupport(t.db, target, acme2);
		await buildSupport(t.db, dup, other, { deployment: d2 });
		await buildSupport(t.db, dup, loner);
		const row = (await listBoard(ctx(null), { q: 'counting target' })).needs.find((r) => r.id === target.id)!;
		expect(row).toMatchObject({ supportCount: 4, organizationCount: 2, deploymentCount: 2 });

		const page = await getNeedPage(ctx(null), target.id);
		expect(page.counts).toMatchObject({ supporters: 4, organizations: 2, deployments: 2, nodes: 140, instances: 2000 });
		expect(page.counts.segments).toEqual([{ segment: 'operator', count: 4 }]);
		expect(page.supporters).toHaveLength(4);
		expect(page.supporters.find((s) => s.member.id === acme1.id)).toMatchObject({
			impact: 'Hours of downtime',
			deployment: { id: d1.id, nodes: 100 },
			viaNeedId: null
		});
		expect(page.supporters.find((s) => s.member.id === other.id)).toMatchObject({ deployment: { id: d2.id }, viaNeedId: dup.id });
		expect(page.duplicates.map((d) => d.id)).toEqual([dup.id]);
		const dupPage = await getNeedPage(ctx(null), dup.id);
		expect(dupPage.duplicateOf).toMatchObject({ id: target.id, title: 'Counting target need' });
		expect((await getNeedPage(ctx(loner), target.id)).viewer).toMatchObject({ supports: null, supportsViaDuplicate: dup.id });
	});
});

describe('closed groups through every door', () => {
	let chair: MemberRow;
	let member: MemberRow;
	let outsider: MemberRow;
	let requested: MemberRow;
	let admin: MemberRow;
	let secret: NeedRow;
	let openTarget: NeedRow;
	let secretDup: NeedRow;

	beforeAll(async () => {
		chair = await buildMember(t.db);
		member = await buildMember(t.db);
		outsider = await buildMember(t.db);
		requested = await buildMember(t.db);
		admin = await buildMember(t.db, { isAdmin: true });
		const group = await buildGroup(t.db, { visibility: 'closed', chair, slug: 'secret-ops' });
		await addMembership(t.db, group, member);
		await addMembership(t.db, group, requested, { state: 'requested' });
		secret = await buildNeed(t.db, { group, title: 'Zanzibar hypervisor firmware leaks memory', body: 'xylophone', supporters: [member] });
		openTarget = await buildNeed(t.db, { title: 'Public need with a merged closed duplicate' });
		secretDup = await buildNeed(t.db, { group, title: 'Closed duplicate of the public need', duplicateOf: openTarget, supporters: [chair] });
		// Supported this week, so it is in the trending rollup.
		await t.db.updateTable('support').set({ created_at: clock.now() }).where('need_id', '=', secret.id).execute();
		await refreshTrending(t.db, clock.now());
	});

	const visibleIn = async (who: MemberRow | null) => ({
		board: (await walk(who, { status: 'all' }, 100)).some((r) => r.id === secret.id),
		trending: (await walk(who, { sort: 'trending', status: 'all' }, 100)).some((r) => r.id === secret.id),
		search: (await listBoard(ctx(who), { q: 'xylophone' })).needs.some((r) => r.id === secret.id),
		group: (await listBoard(ctx(who), { group: 'secret-ops', status: 'all' })).needs.length > 0,
		similar: (await similarNeeds(ctx(who), 'Zanzibar hypervisor firmware leaking memory')).some((r) => r.id === secret.id),
		page: await getNeedPage(ctx(who), secret.id).then(
			() => true,
			(e) => (e.code === 'not_found' ? false : Promise.reject(e))
		)
	});
	const everywhere = (v: boolean) => ({ board: v, trending: v, search: v, group: v, similar: v, page: v });

	it('outsiders, visitors and pending requesters do not see an unpublished closed need anywhere', async () => {
		for (const who of [null, outsider, requested]) expect(await visibleIn(who)).toEqual(everywhere(false));
	});

	it('the group’s members and administrators see it everywhere', async () => {
		for (const who of [member, chair, admin]) expect(await visibleIn(who)).toEqual(everywhere(true));
	});

	it('a need page does not name an unreadable duplicate merged into it, but counts its supporters', async () => {
		const outside = await getNeedPage(ctx(outsider), openTarget.id);
		expect(outside.duplicates).toEqual([]);
		expect(outside.counts.supporters).toBe(1);
		expect(outside.supporters.map((s) => [s.member.id, s.viaNeedId, s.impact])).toEqual([[chair.id, null, null]]);
		expect((await getNeedPage(ctx(member), openTarget.id)).duplicates.map((d) => d.id)).toEqual([secretDup.id]);
	});

	it('everyone sees it once the group publishes it', async () => {
		await t.db.updateTable('need').set({ published_at: clock.now() }).where('id', '=', secret.id).execute();
		for (const who of [null, outsider, member]) expect(await visibleIn(who)).toEqual(everywhere(true));
		await t.db.updateTable('need').set({ published_at: null }).where('id', '=', secret.id).execute();
	});

	it('a hidden need is seen by its moderators only', async () => {
		const hidden = await buildNeed(t.db, { title: 'Hidden spam need about quokkas', hiddenAt: clock.now(), hiddenReason: 'Spam' });
		const seen = async (who: MemberRow | null) => (await listBoard(ctx(who), { q: 'quokkas' })).needs.some((r) => r.id === hidden.id);
		expect(await seen(outsider)).toBe(false);
		expect(await seen(null)).toBe(false);
		expect(await seen(admin)).toBe(true);
		await expect(getNeedPage(ctx(outsider), hidden.id)).rejects.toMatchObject({ code: 'not_found' });
		// Suggestions never offer a hidden need, not even to moderators.
		const offered = await similarNeeds(ctx(admin), 'Hidden spam need about quokkas');
		expect(offered.map((s) => s.id)).not.toContain(hidden.id);
	});
});

describe('similar needs', () => {
	it('finds a near-duplicate title, typed whole or in part, and leaves out duplicates and the need itself', async () => {
		const original = await buildNeed(t.db, { title: 'Live migration fails between NUMA nodes', supporters: [await buildMember(t.db)] });
		const dup = await buildNeed(t.db, { title: 'Live migration fails between NUMA nodes (again)', duplicateOf: original });
		await buildNeed(t.db, { title: 'Keystone token expiry is too short' });

		const whole = await similarNeeds(ctx(null), 'live-migration failing across numa nodes');
		expect(whole[0]).toMatchObject({ id: original.id, title: original.title, status: 'new', supportCount: 1 });
		expect(whole.map((s) => s.id)).not.toContain(dup.id);
		const typing = await similarNeeds(ctx(null), 'Live migrat');
		expect(typing[0]?.id).toBe(original.id);
		const typo = await similarNeeds(ctx(null), 'Live migraton fails betwen NUMA nodes');
		expect(typo[0]?.id).toBe(original.id);
		expect((await similarNeeds(ctx(null), original.title, { excludeId: original.id })).map((s) => s.id)).not.toContain(original.id);
		expect(await similarNeeds(ctx(null), 'zz')).toEqual([]);
		expect(await similarNeeds(ctx(null), 'Completely unrelated words: photosynthesis of ferns')).toEqual([]);
		expect((await similarNeeds(ctx(null), 'migration', { limit: 1 })).length).toBeLessThanOrEqual(1);
	});
});
