import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import type { Actor } from '#lib/server/platform/context.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupMembershipRow, GroupRole, GroupRow, MembershipState } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { mayReadNeed, needFacts, type NeedRow } from '#lib/server/modules/needs/index.ts';
import { buildCycle } from '#lib/server/modules/cycles/cycles.factories.ts';
import { getGroupPriorities, getRoundPage, groupPriorityCounts, listPublishedLists, listRounds, mayReadRound, mayVote, readableNeedIds } from './index.ts';
import { buildPriorityRound, buildPublishedList } from './priorities.factories.ts';
import type { PriorityRoundRow } from './priorities.tables.ts';

/*
 * The priorities module's SQL filters (listRounds and groupPriorityCounts through readableGroupIds; the
 * round page's candidate titles and readableNeedIds through needReadableBy) against the policy
 * (mayReadRound, mayReadNeed), on a deterministic grid: an open and two closed groups, each with an open
 * and a closed round whose candidates include a need hidden after the round opened and, in closed
 * groups, a published one; viewers: visitor, plain member, administrator and one viewer per
 * (role, state) in each group. Published lists are public by policy, also a closed group's.
 */

let t: TestDatabase;
const clock = new TestClock(new Date('2027-02-01T12:00:00Z'));
const TIES: Array<{ role: GroupRole; state: MembershipState }> = [
	{ role: 'member', state: 'active' },
	{ role: 'moderator', state: 'active' },
	{ role: 'chair', state: 'active' },
	{ role: 'member', state: 'requested' },
	{ role: 'member', state: 'invited' }
];
interface Viewer {
	name: string;
	member: MemberRow | null;
	actor: Actor | null;
}
const groups: GroupRow[] = [];
const viewers: Viewer[] = [];
const memberships = new Map<string, GroupMembershipRow>();
const rounds: Array<{ round: PriorityRoundRow; group: GroupRow; candidates: NeedRow[] }> = [];

async function viewer(name: string, isAdmin = false) {
	const member = await buildMember(t.db, { isAdmin });
	viewers.push({ name, member, actor: toActor(member, 'session') });
	return member;
}

beforeAll(async () => {
	t = await createTestDatabase();
	const cycle = await buildCycle(t.db);
	for (const visibility of ['open', 'closed', 'closed'] as const) groups.push(await buildGroup(t.db, { visibility }));
	viewers.push({ name: 'visitor', member: null, actor: null });
	await viewer('plain member');
	await viewer('administrator', true);
	for (const [i, group] of groups.entries())
		for (const { role, state } of TIES) {
			const member = await viewer(`${role} ${state} in group ${i} (${group.visibility})`);
			memberships.set(`${group.id}:${member.id}`, await addMembership(t.db, group, member, { role, state }));
		}
	for (const group of groups) {
		for (const state of ['open', 'closed'] as const) {
			const candidates = [
				await buildNeed(t.db, { group, status: 'accepted' }),
				await buildNeed(t.db, { group, status: 'accepted' }),
				await buildNeed(t.db, { group, status: 'accepted', publishedAt: new Date('2026-11-02T00:00:00Z') })
			];
			const round = await buildPriorityRound(t.db, { group, cycle, candidates, state });
			// Hidden after the round opened: its title must not show to those who may not read it.
			candidates[1] = await t.db
				.updateTable('need')
				.set({ hidden_at: new Date('2026-11-03T00:00:00Z') })
				.where('id', '=', candidates[1].id)
				.returningAll()
				.executeTakeFirstOrThrow();
			rounds.push({ round, group, candidates });
			if (state === 'closed') await buildPublishedList(t.db, round);
		}
	}
});
afterAll(() => t?.close());

const membershipOf = (v: Viewer, g: GroupRow) => (v.member ? (memberships.get(`${g.id}:${v.member.id}`) ?? null) : null);
const ctxOf = (v: Viewer) => ctxFor(t.db, v.actor, clock);
const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('the priorities filters agree with the policy', () => {
	it('both answers occur, so the grid tests something', () => {
		const answers = new Set(viewers.flatMap((v) => rounds.map((r) => mayReadRound(v.actor, r.group, membershipOf(v, r.group)))));
		expect([...answers].sort()).toEqual([false, true]);
	});

	it('listRounds lists exactly the rounds the policy lets each viewer read, in all and in each group', async () => {
		for (const v of viewers) {
			const ctx = ctxOf(v);
			const want = rounds.filter((r) => mayReadRound(v.actor, r.group, membershipOf(v, r.group))).map((r) => r.round.id);
			expect(sorted((await listRounds(ctx)).map((r) => r.id)), v.name).toEqual(sorted(want));
			for (const g of groups) {
				const inGroup = rounds.filter((r) => r.group.id === g.id && mayReadRound(v.actor, g, membershipOf(v, g))).map((r) => r.round.id);
				expect(sorted((await listRounds(ctx, { groupId: g.id })).map((r) => r.id)), `${v.name} in ${g.slug}`).toEqual(sorted(inGroup));
				expect(sorted((await getGroupPriorities(ctx, g.slug)).rounds.map((r) => r.id)), `${v.name}, priorities page of ${g.slug}`).toEqual(sorted(inGroup));
				expect((await groupPriorityCounts(ctx, g.id)).openRounds, `${v.name} counts open rounds of ${g.slug}`).toBe(
					mayReadRound(v.actor, g, membershipOf(v, g)) ? 1 : 0
				);
			}
		}
	});

	it('the round page opens exactly for readers (not_found otherwise) and names a candidate only to those who may read it', async () => {
		const problems: string[] = [];
		for (const v of viewers) {
			const ctx = ctxOf(v);
			for (const r of rounds) {
				const m = membershipOf(v, r.group);
				let page;
				try {
					page = await getRoundPage(ctx, r.round.id);
				} catch (error) {
					if (!(error instanceof AppError)) throw error;
					if (error.code !== 'not_found' || mayReadRound(v.actor, r.group, m)) problems.push(`${v.name} / round ${r.round.id}: ${error.code}`);
					continue;
				}
				if (!mayReadRound(v.actor, r.group, m)) problems.push(`${v.name} opens round ${r.round.id} of ${r.group.visibility} group they may not read`);
				expect(page.abilities.read).toBe(true);
				expect(page.abilities.vote).toBe(r.round.state === 'open' && mayVote(v.actor, r.group, m));
				for (const c of r.candidates) {
					const shown = page.candidates.find((x) => x.needId === c.id)!;
					const may = mayReadNeed(v.actor, needFacts(c), r.group, m);
					if ((shown.title !== null) !== may)
						problems.push(
							`${v.name} / round ${r.round.id} / need ${c.id}: title ${shown.title === null ? 'hidden' : 'shown'}, policy says ${may ? 'readable' : 'not readable'}`
						);
				}
				const readable = await readableNeedIds(
					ctx,
					r.candidates.map((c) => c.id)
				);
				const want = r.candidates.filter((c) => mayReadNeed(v.actor, needFacts(c), r.group, m)).map((c) => c.id);
				expect(sorted([...readable]), `readableNeedIds for ${v.name}`).toEqual(sorted(want));
			}
		}
		expect(problems).toEqual([]);
	});

	it('published lists are public: everyone sees every group’s lists, closed groups’ too', async () => {
		const all = await listPublishedLists(t.db);
		expect(all).toHaveLength(groups.length);
		for (const v of viewers)
			for (const g of groups)
				expect(
					(await getGroupPriorities(ctxOf(v), g.slug)).lists.map((l) => l.slug),
					`${v.name} / ${g.slug}`
				).toHaveLength(1);
	});
});
