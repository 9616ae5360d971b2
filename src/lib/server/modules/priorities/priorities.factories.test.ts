import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import type { NeedRow } from '#lib/server/modules/needs/index.ts';
import { buildCycle } from '#lib/server/modules/cycles/cycles.factories.ts';
import type { CycleRow } from '#lib/server/modules/cycles/index.ts';
import { castBallot, closeRound, getPublishedList, getRoundPage, listPublishedLists, listRounds, publishList, type RoundResult } from './index.ts';
import { buildBallot, buildPriorityRound, buildPublishedList, closeBuiltRound } from './priorities.factories.ts';

let t: TestDatabase;
const clock = new TestClock(new Date('2027-02-01T12:00:00Z'));
let chair: MemberRow, voters: MemberRow[], outsider: MemberRow, group: GroupRow, cycle: CycleRow, needs: NeedRow[];

beforeAll(async () => {
	t = await createTestDatabase();
	chair = await buildMember(t.db);
	group = await buildGroup(t.db, { chair, visibility: 'closed' });
	voters = [];
	for (let i = 0; i < 3; i++) {
		const voter = await buildMember(t.db);
		await addMembership(t.db, group, voter);
		voters.push(voter);
	}
	outsider = await buildMember(t.db);
	cycle = await buildCycle(t.db);
	needs = [];
	for (let i = 0; i < 3; i++) needs.push(await buildNeed(t.db, { group, status: 'accepted', title: `Backlog need ${i + 1}` }));
});
afterAll(() => t?.close());

const as = (who: MemberRow | null) => {
	clock.advance(1000);
	return ctxFor(t.db, who, clock);
};
const ids = () => needs.map((n) => n.id);
const unanimous = () => voters.map((member) => ({ member, ranking: [[needs[1].id], [needs[0].id], [needs[2].id]] }));
/** The parts of a result the seed cannot change when there are no ties. */
const counted = (r: RoundResult) => ({
	candidates: r.candidates,
	pairwise: r.pairwise,
	strongestPaths: r.strongestPaths,
	tiers: r.tiers,
	ranking: r.ranking,
	ballots: r.ballots,
	eligible: r.eligible
});

describe('priorities factories', () => {
	it('buildPriorityRound with no overrides makes an open round of a new open group, in a new cycle, over three of its needs', async () => {
		const round = await buildPriorityRound(t.db);
		expect(round.state).toBe('open');
		const page = await getRoundPage(as(null), round.id);
		expect(page.candidates).toHaveLength(3);
		expect(page.candidates.every((c) => c.title !== null)).toBe(true);
		expect(page.round.ballotCount).toBe(0);
	});

	it('an open built round takes ballots through the command, next to built ones, and reads like any round', async () => {
		const round = await buildPriorityRound(t.db, { group, cycle, candidates: needs, openedBy: chair });
		await buildBallot(t.db, round, voters[0]);
		await castBallot(as(voters[1]), round.id, { ranking: [[needs[2].id], [needs[0].id, needs[1].id]] });
		const page = await getRoundPage(as(voters[0]), round.id);
		expect(page.candidates.map((c) => c.needId)).toEqual(ids());
		expect(page.round.ballotCount).toBe(2);
		expect(page.myBallot?.ranking).toEqual(ids().map((id) => [id]));
		expect(page.abilities).toMatchObject({ read: true, vote: true, close: false });
		// A closed group's round stays with the group.
		await expect(getRoundPage(as(outsider), round.id)).rejects.toMatchObject({ code: 'not_found' });
		expect((await listRounds(as(outsider))).map((r) => r.id)).not.toContain(round.id);
	});

	it('a built closed round counts like closeRound: same matrix and order for the same ballots, ballots of non-members set aside', async () => {
		const byCommand = await buildPriorityRound(t.db, { group, cycle, candidates: needs, ballots: [...unanimous(), { member: outsider }] });
		const closedByCommand = await closeRound(as(chair), byCommand.id);
		const built = await buildPriorityRound(t.db, { group, cycle, candidates: needs, ballots: [...unanimous(), { member: outsider }], state: 'closed' });
		expect(built).toMatchObject({ state: 'closed', seed: `round-${built.id}-factory`, ballot_count: 3, eligible_count: 4 });
		expect(counted(built.result as RoundResult)).toEqual(counted(closedByCommand.result as RoundResult));
		expect((built.result as RoundResult).ranking).toEqual([needs[1].id, needs[0].id, needs[2].id]);
		const page = await getRoundPage(as(chair), built.id);
		expect(page.round.state).toBe('closed');
		expect(page.abilities).toMatchObject({ vote: false, close: false, publish: true });
	});

	it('buildPublishedList writes the next version like publishList does, and the command continues the numbering', async () => {
		const otherCycle = await buildCycle(t.db);
		const round = await buildPriorityRound(t.db, { group, cycle: otherCycle, candidates: needs, ballots: unanimous() });
		const v1 = await buildPublishedList(t.db, round, { note: 'First.' });
		expect(v1).toMatchObject({ version: 1, slug: `${group.slug}-${otherCycle.slug}-v1`, note: 'First.' });
		const closed = await t.db.selectFrom('priority_round').selectAll().where('id', '=', round.id).executeTakeFirstOrThrow();
		expect(closed.state).toBe('closed');
		const v2 = await buildPublishedList(t.db, closed);
		expect(v2.version).toBe(2);
		const v3 = await publishList(as(chair), round.id, { note: 'By the chair.' });
		expect(v3.version).toBe(3);
		const read = await getPublishedList(t.db, v1.slug);
		expect(read.content.entries.map((e) => e.needId)).toEqual([needs[1].id, needs[0].id, needs[2].id]);
		expect(read.content.turnout).toEqual({ ballots: 3, eligible: 4 });
		const listed = await listPublishedLists(t.db, { roundId: round.id });
		expect(listed.map((l) => l.version).sort()).toEqual([1, 2, 3]);
		const entries = await t.db.selectFrom('priority_list_entry').selectAll().where('list_id', '=', v1.id).orderBy('rank').execute();
		expect(entries.map((e) => Number(e.need_id))).toEqual([needs[1].id, needs[0].id, needs[2].id]);
	});

	it('closeBuiltRound takes a seed, so a tie is broken the same way every run', async () => {
		const round = await buildPriorityRound(t.db, { group, cycle, candidates: needs });
		const a = await closeBuiltRound(t.db, round, { seed: 'fixed-seed' });
		const again = await buildPriorityRound(t.db, { group, cycle, candidates: needs });
		const b = await closeBuiltRound(t.db, again, { seed: 'fixed-seed' });
		expect((a.result as RoundResult).ranking).toEqual((b.result as RoundResult).ranking);
		// With no ballots every candidate ties: one tier, ordered by the seeded draw alone.
		const tiers = (a.result as RoundResult).tiers;
		expect(tiers).toHaveLength(1);
		expect([...tiers[0]].sort((x, y) => x - y)).toEqual([...ids()].sort((x, y) => x - y));
	});
});
