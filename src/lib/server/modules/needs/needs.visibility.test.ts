import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import type { Actor } from '#lib/server/platform/context.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupMembershipRow, GroupRole, GroupRow, MembershipState } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from './needs.factories.ts';
import { listBoard, loadNeedAccess, mayReadNeed, needAbilities, needFacts, needReadableBy, readersAmong } from './index.ts';
import type { NeedRow } from './needs.tables.ts';

/*
 * needReadableBy (the SQL twin every list, search, count and export goes through) must agree with
 * mayReadNeed (the policy every single-need door goes through), for every viewer and every need.
 *
 * The population is a deterministic, exhaustive grid rather than a random one: every combination of
 *   group: none, open, closed, another closed  ×  published or not  ×  hidden or not  ×  duplicate or not
 * (32 needs, plus one merge target per group), against viewers: a visitor, a plain member, an
 * administrator, and for each group one viewer per (role, state) a membership row can hold, and two
 * viewers with different ties to several groups at once. The grid is small (≈ 25 viewers × 36 needs)
 * and covers every branch of both functions, which a random population would only do by chance.
 *
 * A fast-check property then draws viewers with random ties to all three groups at once (and random
 * administrator rights), the combinations the grid samples only twice.
 *
 * For each pair we check four doors against the policy: the raw filter (under its default table name
 * and under an alias, as similarNeeds uses it), the board (listBoard with status 'all'), loadNeedAccess
 * (one need by id: not_found when unreadable), and readersAmong (who is told about a need).
 */

let t: TestDatabase;

type GroupKey = 'none' | 'open' | 'closed' | 'closed2';
const GROUP_KEYS: GroupKey[] = ['none', 'open', 'closed', 'closed2'];
const TIES: Array<{ role: GroupRole; state: MembershipState }> = [
	{ role: 'member', state: 'active' },
	{ role: 'moderator', state: 'active' },
	{ role: 'chair', state: 'active' },
	{ role: 'member', state: 'requested' },
	{ role: 'member', state: 'invited' },
	// An invitation to moderate is not moderation until accepted.
	{ role: 'moderator', state: 'invited' },
	{ role: 'chair', state: 'requested' }
];

interface Viewer {
	name: string;
	member: MemberRow | null;
	actor: Actor | null;
}

const groups = {} as Record<Exclude<GroupKey, 'none'>, GroupRow>;
const viewers: Viewer[] = [];
const needs: Array<{ name: string; row: NeedRow; group: GroupRow | null }> = [];
/** group id → member id → membership row */
const memberships = new Map<number, Map<number, GroupMembershipRow>>();

async function tie(group: GroupRow, member: MemberRow, role: GroupRole, state: MembershipState) {
	const row = await addMembership(t.db, group, member, { role, state });
	if (!memberships.has(group.id)) memberships.set(group.id, new Map());
	memberships.get(group.id)!.set(member.id, row);
}

async function viewer(name: string, overrides: { isAdmin?: boolean } = {}): Promise<MemberRow> {
	const member = await buildMember(t.db, overrides);
	viewers.push({ name, member, actor: toActor(member, 'session') });
	return member;
}

beforeAll(async () => {
	t = await createTestDatabase();
	groups.open = await buildGroup(t.db, { visibility: 'open', name: 'Open' });
	groups.closed = await buildGroup(t.db, { visibility: 'closed', name: 'Closed' });
	groups.closed2 = await buildGroup(t.db, { visibility: 'closed', name: 'Closed too' });

	viewers.push({ name: 'visitor', member: null, actor: null });
	await viewer('plain member');
	await viewer('administrator', { isAdmin: true });
	// An administrator who is also a plain member of a closed group: admin rights win.
	await tie(groups.closed, await viewer('administrator, member of closed', { isAdmin: true }), 'member', 'active');
	for (const key of ['open', 'closed', 'closed2'] as const) {
		for (const { role, state } of TIES) await tie(groups[key], await viewer(`${role} ${state} in ${key}`), role, state);
	}
	// Ties to several groups at once: rights in one group must not spill into another.
	const cross = await viewer('chair of closed2, requested closed, member of open');
	await tie(groups.closed2, cross, 'chair', 'active');
	await tie(groups.closed, cross, 'member', 'requested');
	await tie(groups.open, cross, 'member', 'active');
	const cross2 = await viewer('moderator of open, invited to closed');
	await tie(groups.open, cross2, 'moderator', 'active');
	await tie(groups.closed, cross2, 'moderator', 'invited');

	const hiddenAt = new Date('2026-11-10T00:00:00Z');
	const publishedAt = new Date('2026-11-05T00:00:00Z');
	for (const key of GROUP_KEYS) {
		const group = key === 'none' ? null : groups[key];
		const groupRef = group ? { id: group.id, visibility: group.visibility } : null;
		const target = await buildNeed(t.db, { group: groupRef, publishedAt, status: 'triaged', title: `Merge target in ${key}` });
		needs.push({ name: `merge target in ${key}`, row: target, group });
		for (const published of [true, false])
			for (const hidden of [false, true])
				for (const duplicate of [false, true]) {
					const name = `${key}, ${published ? 'published' : 'unpublished'}, ${hidden ? 'hidden' : 'shown'}, ${duplicate ? 'duplicate' : 'original'}`;
					const row = await buildNeed(t.db, {
						title: `Need ${name}`,
						group: groupRef,
						publishedAt: published ? publishedAt : null,
						hiddenAt: hidden ? hiddenAt : null,
						hiddenReason: hidden ? 'spam' : null,
						duplicateOf: duplicate ? target : null,
						status: duplicate ? 'duplicate' : 'accepted'
					});
					needs.push({ name, row, group });
				}
	}
});
afterAll(() => t?.close());

const membershipOf = (v: Viewer, group: GroupRow | null) => (v.member && group ? (memberships.get(group.id)?.get(v.member.id) ?? null) : null);
const policySays = (v: Viewer, n: (typeof needs)[number]) => mayReadNeed(v.actor, needFacts(n.row), n.group, membershipOf(v, n.group));
const expectedIds = (v: Viewer) =>
	needs
		.filter((n) => policySays(v, n))
		.map((n) => n.row.id)
		.sort((a, b) => a - b);
const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);
const nameOf = (id: number) => needs.find((n) => n.row.id === id)?.name ?? `#${id}`;

/** Lists disagreements by name, so a failure says which viewer and which need. */
function disagreements(v: Viewer, actual: number[]) {
	const want = new Set(expectedIds(v));
	const got = new Set(actual);
	return [
		...[...got].filter((id) => !want.has(id)).map((id) => `${v.name} is shown, but may not read: ${nameOf(id)}`),
		...[...want].filter((id) => !got.has(id)).map((id) => `${v.name} may read, but is not shown: ${nameOf(id)}`)
	];
}

describe('needReadableBy agrees with mayReadNeed', () => {
	it('the population covers what it should', () => {
		expect(needs).toHaveLength(4 * 9);
		expect(viewers.length).toBeGreaterThanOrEqual(3 + 3 * TIES.length);
		// Both answers occur for hidden and for unpublished closed needs, so the grid tests something.
		const closedUnpublished = needs.filter((n) => n.group?.visibility === 'closed' && !n.row.published_at);
		expect(viewers.some((v) => closedUnpublished.some((n) => policySays(v, n)))).toBe(true);
		expect(viewers.some((v) => closedUnpublished.some((n) => !policySays(v, n)))).toBe(true);
	});

	it('the raw filter returns exactly the needs the policy lets each viewer read', async () => {
		const problems: string[] = [];
		for (const v of viewers) {
			const rows = await t.db.selectFrom('need').select('need.id').where(needReadableBy(v.actor)).execute();
			problems.push(
				...disagreements(
					v,
					rows.map((r) => r.id)
				)
			);
		}
		expect(problems).toEqual([]);
	});

	it('so does the filter under an alias', async () => {
		const problems: string[] = [];
		for (const v of viewers) {
			const rows = await t.db.selectFrom('need as c').select('c.id').where(needReadableBy(v.actor, 'c')).execute();
			problems.push(
				...disagreements(
					v,
					rows.map((r) => r.id)
				)
			);
		}
		expect(problems).toEqual([]);
	});

	it('needAbilities(...).read is mayReadNeed, for every pair', () => {
		for (const v of viewers)
			for (const n of needs)
				expect(needAbilities(v.actor, needFacts(n.row), n.group, membershipOf(v, n.group)).read, `${v.name} / ${n.name}`).toBe(policySays(v, n));
	});

	it('the board (status all) lists exactly the readable needs; the default board leaves out duplicates only', async () => {
		const problems: string[] = [];
		for (const v of viewers) {
			const ctx = ctxFor(t.db, v.actor);
			const all = await listBoard(ctx, { status: 'all', limit: 100 });
			problems.push(
				...disagreements(
					v,
					all.needs.map((n) => n.id)
				)
			);
			const board = await listBoard(ctx, { limit: 100 });
			const wanted = needs.filter((n) => policySays(v, n) && n.row.status !== 'duplicate').map((n) => n.row.id);
			expect(sorted(board.needs.map((n) => n.id)), `default board of ${v.name}`).toEqual(sorted(wanted));
		}
		expect(problems).toEqual([]);
	});

	it('loadNeedAccess opens exactly the readable needs, and answers not_found for the others', async () => {
		const problems: string[] = [];
		for (const v of viewers) {
			const ctx = ctxFor(t.db, v.actor);
			for (const n of needs) {
				let outcome: string;
				try {
					const access = await loadNeedAccess(ctx, n.row.id);
					outcome = access.abilities.read ? 'read' : 'opened without read';
				} catch (error) {
					if (!(error instanceof AppError)) throw error;
					outcome = error.code;
				}
				const want = policySays(v, n) ? 'read' : 'not_found';
				if (outcome !== want) problems.push(`${v.name} / ${n.name}: ${outcome}, policy says ${want}`);
			}
		}
		expect(problems).toEqual([]);
	});

	it('readersAmong (who is told about a need) never names someone the policy keeps out; for a shown need it names all who may read', async () => {
		const members = viewers.filter((v) => v.member);
		const ids = members.map((v) => v.member!.id);
		const problems: string[] = [];
		for (const n of needs) {
			const told = new Set(await readersAmong(t.db, { need: n.row, group: n.group }, ids));
			for (const v of members) {
				const may = policySays(v, n);
				const isTold = told.has(v.member!.id);
				if (isTold && !may) problems.push(`${v.name} is told about ${n.name}, which they may not read`);
				// A hidden need is told to nobody, not even its moderators who may read it: conservative by design.
				if (!isTold && may && !n.row.hidden_at) problems.push(`${v.name} may read ${n.name} but is not told`);
			}
			if (n.row.hidden_at) expect(told.size, `nobody is told about hidden ${n.name}`).toBe(0);
		}
		expect(problems).toEqual([]);
	});

	it('the door an actor came through (session, token, CLI) changes nothing', async () => {
		for (const v of viewers.filter((v) => v.actor)) {
			const bySession = await t.db.selectFrom('need').select('id').where(needReadableBy(v.actor)).orderBy('id').execute();
			for (const via of ['token', 'cli'] as const) {
				const actor = { ...v.actor!, via };
				const rows = await t.db.selectFrom('need').select('id').where(needReadableBy(actor)).orderBy('id').execute();
				expect(rows, `${v.name} via ${via}`).toEqual(bySession);
				for (const n of needs) expect(mayReadNeed(actor, needFacts(n.row), n.group, membershipOf(v, n.group))).toBe(policySays(v, n));
			}
		}
	});

	it('a viewer with any mix of ties to the three groups sees through the filter exactly what the policy allows (fast-check)', async () => {
		const tieOf = fc.option(fc.constantFrom(...TIES), { nil: null });
		await fc.assert(
			fc.asyncProperty(fc.boolean(), tieOf, tieOf, tieOf, async (isAdmin, open, closed, closed2) => {
				const member = await buildMember(t.db, { isAdmin });
				const v: Viewer = { name: `random viewer ${member.handle}`, member, actor: toActor(member, 'session') };
				for (const [key, chosen] of [
					['open', open],
					['closed', closed],
					['closed2', closed2]
				] as const)
					if (chosen) await tie(groups[key], member, chosen.role, chosen.state);
				const rows = await t.db.selectFrom('need').select('need.id').where(needReadableBy(v.actor)).execute();
				expect(
					disagreements(
						v,
						rows.map((r) => r.id)
					)
				).toEqual([]);
			}),
			{ numRuns: 40 }
		);
	});
});
