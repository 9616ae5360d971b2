import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildDeployment, buildNeed, buildSupport } from '#lib/server/modules/needs/needs.factories.ts';
import type { NeedRow } from '#lib/server/modules/needs/index.ts';
import { createCycle } from '#lib/server/modules/cycles/index.ts';
import { ensureRecurringJobs, runDueJobs } from '#lib/server/platform/jobs/index.ts';
import {
	castBallot,
	closeDueRounds,
	closeRound,
	closeRoundIfDue,
	exportList,
	exportPublishedList,
	getGroupPriorities,
	getPublishedList,
	getRoundPage,
	listPublishedLists,
	listRounds,
	myBallot,
	openRound,
	priorityRanksOfNeed,
	publishList,
	rankingFromForm,
	withdrawBallot,
	type OpenRoundInput,
	type RoundResult
} from './index.ts';

let t: TestDatabase;
let admin: MemberRow;
const clock = new TestClock(new Date('2027-02-01T12:00:00Z'));
beforeAll(async () => {
	t = await createTestDatabase();
	admin = await buildMember(t.db, { isAdmin: true, handle: 'prio-admin' });
	await createCycle(ctxFor(t.db, admin, clock), { slug: '2027.1', name: 'Cycle 2027.1', startsOn: '2027-01-01', endsOn: '2027-06-30' });
});
afterAll(() => t?.close());

const as = (who: MemberRow | null) => {
	clock.advance(1000);
	return ctxFor(t.db, who, clock);
};
const failure = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(error: unknown) => error as { code: string; fields: Record<string, string>; message: string }
	);

interface Setup {
	group: GroupRow;
	chair: MemberRow;
	moderator: MemberRow;
	voters: MemberRow[];
	outsider: MemberRow;
	needs: NeedRow[];
}

async function setup(visibility: 'open' | 'closed' = 'open', voterCount = 3, needCount = 3): Promise<Setup> {
	const chair = await buildMember(t.db);
	const group = await buildGroup(t.db, { chair, visibility });
	const moderator = await buildMember(t.db);
	await addMembership(t.db, group, moderator, { role: 'moderator' });
	const voters: MemberRow[] = [];
	for (let i = 0; i < voterCount; i++) {
		const voter = await buildMember(t.db);
		await addMembership(t.db, group, voter);
		voters.push(voter);
	}
	const outsider = await buildMember(t.db);
	const needs: NeedRow[] = [];
	for (let i = 0; i < needCount; i++) needs.push(await buildNeed(t.db, { group, status: 'accepted', title: `Backlog need ${i + 1} of ${group.slug}` }));
	return { group, chair, moderator, voters, outsider, needs };
}

const open = (s: Setup, who: MemberRow = s.chair, extra: Partial<OpenRoundInput> = {}) =>
	openRound(as(who), s.group.slug, { cycle: '2027.1', title: `Priorities of ${s.group.name}`, candidates: s.needs.map((n) => n.id), ...extra });

describe('a priority round from opening to a published list', () => {
	it('members rank, change their mind, the chair closes and publishes: Schulze picks the Condorcet winner', async () => {
		const s = await setup('open', 3);
		const [a, b, c] = s.needs.map((n) => n.id);
		const round = await open(s);
		expect(round.state).toBe('open');

		await castBallot(as(s.voters[0]), round.id, { ranking: [[c], [a]] });
		await castBallot(as(s.voters[0]), round.id, { ranking: [[b], [a], [c]] }); // changed their mind
		await castBallot(as(s.voters[1]), round.id, { ranking: [[b], [c, a]] });
		await castBallot(as(s.voters[2]), round.id, { ranking: [[a], [b]] });
		expect((await myBallot(as(s.voters[0]), round.id))?.ranking).toEqual([[b], [a], [c]]);
		expect(await t.db.selectFrom('priority_ballot').select('member_id').where('round_id', '=', round.id).execute()).toHaveLength(3);

		const page = await getRoundPage(as(s.voters[1]), round.id);
		expect(page.round.ballotCount).toBe(3);
		expect(page.round.eligibleCount).toBe(5); // chair, moderator and three members
		expect(page.result).toBeNull();

		const closed = await closeRound(as(s.chair), round.id);
		expect(closed.state).toBe('closed');
		expect(closed.seed).toMatch(new RegExp(`^round-${round.id}-[0-9a-f]{16}$`));
		const result = closed.result as RoundResult;
		expect(result.ranking[0]).toBe(b);
		expect(result.ballots).toBe(3);
		const bi = result.candidates.indexOf(b);
		const ai = result.candidates.indexOf(a);
		expect(result.pairwise[bi][ai]).toBe(2);
		expect(result.pairwise[ai][bi]).toBe(1);

		const list = await publishList(as(s.chair), round.id, { note: '' });
		expect(list.version).toBe(1);
		expect(list.slug).toBe(`${s.group.slug}-2027.1-v1`);
		const published = await getPublishedList(t.db, list.id);
		expect(published.content.entries.map((e) => e.needId)).toEqual(result.ranking);
		expect(published.content.turnout).toEqual({ ballots: 3, eligible: 5 });
		expect(published.content.pairwise.needIds).toEqual(result.ranking);
		expect(published.content.pairwise.matrix[0][1]).toBe(result.pairwise[bi][result.candidates.indexOf(result.ranking[1])]);
		expect((await getPublishedList(t.db, list.slug)).id).toBe(list.id);
		expect((await getPublishedList(t.db, `${s.group.slug}-2027.1`)).id).toBe(list.id);
		expect(await priorityRanksOfNeed(t.db, b)).toEqual([{ listId: list.id, title: round.title, version: 1, rank: 1, of: 3, url: `/priorities/${list.id}` }]);
	});

	it('re-publishing makes v2 and keeps v1 readable, each frozen at its publication', async () => {
		const s = await setup();
		const round = await open(s);
		await castBallot(as(s.voters[0]), round.id, { ranking: [[s.needs[0].id]] });
		await closeRound(as(s.chair), round.id);
		const v1 = await publishList(as(s.chair), round.id);
		await t.db.updateTable('need').set({ title: 'A title written after publication' }).where('id', '=', s.needs[0].id).execute();
		await buildSupport(t.db, s.needs[2], await buildMember(t.db));
		const v2 = await publishList(as(s.chair), round.id, { note: 'Refreshed the supporter counts.' });
		expect(v2.version).toBe(2);
		const first = await getPublishedList(t.db, v1.id);
		const second = await getPublishedList(t.db, v2.id);
		expect(first.content.entries.find((e) => e.needId === s.needs[0].id)?.title).toBe(`Backlog need 1 of ${s.group.slug}`);
		expect(second.content.entries.find((e) => e.needId === s.needs[0].id)?.title).toBe('A title written after publication');
		expect(first.content.entries.find((e) => e.needId === s.needs[2].id)?.supporters).toBe(0);
		expect(second.content.entries.find((e) => e.needId === s.needs[2].id)?.supporters).toBe(1);
		expect(second.content.note).toBe('Refreshed the supporter counts.');
		expect(first.versions.map((v) => v.version)).toEqual([2, 1]);
		expect((await getPublishedList(t.db, `${s.group.slug}-2027.1`)).id).toBe(v2.id);
		const lists = await listPublishedLists(t.db, { groupId: s.group.id });
		expect(lists.map((l) => [l.version, l.latest])).toEqual([
			[2, true],
			[1, false]
		]);
	});

	it('orders the same candidates by supporters and by size-weighted deployments beside the group’s rank', async () => {
		const s = await setup('open', 1);
		const [a, b, c] = s.needs;
		const people = await Promise.all([1, 2, 3].map(() => buildMember(t.db)));
		for (const p of people) await buildSupport(t.db, c, p); // c: most supporters, no deployments
		const big = await buildDeployment(t.db, people[0], { nodes: 1023 });
		const unknown = await buildDeployment(t.db, people[1], { nodes: null });
		await buildSupport(t.db, b, people[0], { deployment: big }); // 1 + log2(1024) = 11
		await buildSupport(t.db, a, people[1], { deployment: unknown }); // counts 1
		const round = await open(s);
		await castBallot(as(s.voters[0]), round.id, { ranking: [[a.id], [b.id], [c.id]] });
		await closeRound(as(s.chair), round.id);
		const list = await getPublishedList(t.db, (await publishList(as(s.chair), round.id)).id);
		const entry = (need: NeedRow) => list.content.entries.find((e) => e.needId === need.id)!;
		expect([entry(a).rank, entry(b).rank, entry(c).rank]).toEqual([1, 2, 3]);
		expect([entry(a).supporters, entry(b).supporters, entry(c).supporters]).toEqual([1, 1, 3]);
		expect([entry(a).supportRank, entry(b).supportRank, entry(c).supportRank]).toEqual([2, 2, 1]);
		expect([entry(a).deploymentScore, entry(b).deploymentScore, entry(c).deploymentScore]).toEqual([1, 11, 0]);
		expect([entry(a).deploymentRank, entry(b).deploymentRank, entry(c).deploymentRank]).toEqual([2, 1, 3]);
		expect(list.content.orders.deployments).toMatch(/log₂\(1 \+ nodes\)/);
	});

	it('a round with a closing time takes no ballot after it and is counted by the job', async () => {
		const s = await setup('open', 2);
		const round = await open(s, s.chair, { closesAt: '2027-02-02T12:00' });
		expect(round.closesAt?.toISOString()).toBe('2027-02-02T12:00:00.000Z');
		await castBallot(as(s.voters[0]), round.id, { ranking: [[s.needs[1].id]] });
		expect(await closeRoundIfDue(as(null), round.id)).toBe(false);
		clock.advance(24 * 3600 * 1000);
		const late = await failure(castBallot(as(s.voters[1]), round.id, { ranking: [[s.needs[0].id]] }));
		expect(late).toMatchObject({ code: 'conflict' });
		expect((await getRoundPage(as(s.voters[1]), round.id)).abilities.vote).toBe(false);
		expect(await closeDueRounds(as(null))).toBeGreaterThanOrEqual(1);
		const row = await t.db.selectFrom('priority_round').selectAll().where('id', '=', round.id).executeTakeFirstOrThrow();
		expect(row).toMatchObject({ state: 'closed', closed_by: null, ballot_count: 1 });
		expect(row.closed_at?.toISOString()).toBe('2027-02-02T12:00:00.000Z');
		expect((row.result as RoundResult).ranking[0]).toBe(s.needs[1].id);
	});

	it('reading a round past its closing time shows it closed but writes nothing; publishing counts it first', async () => {
		const s = await setup('open', 2);
		const round = await open(s, s.chair, { closesAt: new Date(clock.now().getTime() + 3600_000).toISOString().slice(0, 16) });
		await castBallot(as(s.voters[0]), round.id, { ranking: [[s.needs[0].id]] });
		clock.advance(2 * 3600_000);
		const stored = () => t.db.selectFrom('priority_round').selectAll().where('id', '=', round.id).executeTakeFirstOrThrow();
		const before = await stored();
		for (const reader of [null, s.voters[1], s.chair]) {
			const page = await getRoundPage(as(reader), round.id);
			expect(page.round.state).toBe('closed');
			expect(page).toMatchObject({ counting: true, result: null });
			expect(page.abilities).toMatchObject({ vote: false, close: false });
		}
		expect((await listRounds(as(null), { state: 'open' })).map((r) => r.id)).not.toContain(round.id);
		expect((await listRounds(as(null), { state: 'closed' })).map((r) => r.id)).toContain(round.id);
		expect(await stored()).toEqual(before);

		expect((await getRoundPage(as(s.chair), round.id)).abilities.publish).toBe(true);
		const list = await getPublishedList(t.db, (await publishList(as(s.chair), round.id)).id);
		expect(list.content.entries[0].needId).toBe(s.needs[0].id);
		expect(await stored()).toMatchObject({ state: 'closed', closed_by: null, ballot_count: 1 });
		expect(await getRoundPage(as(null), round.id)).toMatchObject({ counting: false });
	});

	it('the background worker closes a round at its closing time without anyone reading it', async () => {
		const s = await setup('open', 1);
		const round = await open(s, s.chair, { closesAt: new Date(clock.now().getTime() + 3600_000).toISOString().slice(0, 16) });
		await castBallot(as(s.voters[0]), round.id, { ranking: [[s.needs[2].id]] });
		await ensureRecurringJobs(t.db, clock.now());
		clock.advance(2 * 3600_000);
		await runDueJobs(t.db, { now: () => clock.now(), kinds: ['priorities.close_due'] });
		const row = await t.db.selectFrom('priority_round').selectAll().where('id', '=', round.id).executeTakeFirstOrThrow();
		expect(row).toMatchObject({ state: 'closed', closed_by: null, ballot_count: 1 });
		expect((row.result as RoundResult).ranking[0]).toBe(s.needs[2].id);
	});

	it('a member takes back their ballot while the round is open', async () => {
		const s = await setup();
		const round = await open(s);
		await castBallot(as(s.voters[0]), round.id, { ranking: [[s.needs[0].id]] });
		await withdrawBallot(as(s.voters[0]), round.id);
		expect(await myBallot(as(s.voters[0]), round.id)).toBeNull();
		expect((await failure(withdrawBallot(as(s.voters[0]), round.id)))?.code).toBe('not_found');
	});
});

describe('lock before you count', () => {
	it('ballots racing the close are each either counted or refused, never lost, and one per member', async () => {
		const s = await setup('open', 4);
		const round = await open(s);
		const [a, b] = s.needs.map((n) => n.id);
		const outcomes = await Promise.allSettled([
			castBallot(as(s.voters[0]), round.id, { ranking: [[a]] }),
			castBallot(as(s.voters[0]), round.id, { ranking: [[b]] }),
			castBallot(as(s.voters[1]), round.id, { ranking: [[b]] }),
			closeRound(as(s.chair), round.id),
			castBallot(as(s.voters[2]), round.id, { ranking: [[a]] }),
			castBallot(as(s.voters[3]), round.id, { ranking: [[b], [a]] })
		]);
		const closing = outcomes[3];
		expect(closing.status).toBe('fulfilled');
		for (const outcome of outcomes) {
			if (outcome.status === 'rejected') expect((outcome.reason as { code: string }).code).toBe('conflict');
		}
		const stored = await t.db.selectFrom('priority_ballot').select('member_id').where('round_id', '=', round.id).execute();
		const row = await t.db.selectFrom('priority_round').selectAll().where('id', '=', round.id).executeTakeFirstOrThrow();
		// Every ballot in the table was counted, and nothing was counted that is not in the table.
		expect(row.ballot_count).toBe(stored.length);
		expect(new Set(stored.map((r) => r.member_id)).size).toBe(stored.length);
	});
});

describe('exports', () => {
	it('link a need only where a visitor may open it', async () => {
		const openSetup = await setup('open', 1);
		const round = await open(openSetup);
		await closeRound(as(openSetup.chair), round.id);
		const list = await publishList(as(openSetup.chair), round.id);
		const md = await exportPublishedList(t.db, list.id, 'md', 'https://caucus.example.org');
		expect(md.content).toContain(`[#${openSetup.needs[0].id}](https://caucus.example.org/needs/${openSetup.needs[0].id})`);
		const json = JSON.parse((await exportPublishedList(t.db, list.slug, 'json')).content);
		expect(json.entries[0].url).toMatch(/^\/needs\/\d+$/);
	});
});

describe('turnout and series', () => {
	it('counts only the ballots of members still in the group at the close', async () => {
		const s = await setup('open', 2);
		const round = await open(s);
		await castBallot(as(s.voters[0]), round.id, { ranking: [[s.needs[0].id]] });
		await castBallot(as(s.voters[1]), round.id, { ranking: [[s.needs[1].id]] });
		await t.db.deleteFrom('group_membership').where('group_id', '=', s.group.id).where('member_id', '=', s.voters[1].id).execute();
		expect((await getRoundPage(as(s.chair), round.id)).round.ballotCount).toBe(1);
		const closed = await closeRound(as(s.chair), round.id);
		expect(closed).toMatchObject({ ballotCount: 1, eligibleCount: 3 });
		expect((closed.result as RoundResult).ranking[0]).toBe(s.needs[0].id);
	});

	it('a re-run round in the same cycle publishes the next version of the same list', async () => {
		const s = await setup('open', 1);
		const first = await open(s);
		await closeRound(as(s.chair), first.id);
		const v1 = await publishList(as(s.chair), first.id);
		const rerun = await open(s, s.chair, { title: 'Priorities, re-run after the merge' });
		await castBallot(as(s.voters[0]), rerun.id, { ranking: [[s.needs[2].id]] });
		await closeRound(as(s.chair), rerun.id);
		const v2 = await publishList(as(s.chair), rerun.id);
		expect([v1.version, v2.version]).toEqual([1, 2]);
		expect((await getPublishedList(t.db, `${s.group.slug}-2027.1`)).content).toMatchObject({ title: 'Priorities, re-run after the merge', version: 2 });
		expect((await getPublishedList(t.db, v1.id)).content.version).toBe(1);
	});
});

describe('the ballot form', () => {
	it('reads rank numbers: equal numbers tie, blanks are unranked, gaps do not matter', () => {
		expect(rankingFromForm({ 'rank-1': '2', 'rank-2': '', 'rank-3': '2', 'rank-4': '4' }, [1, 2, 3, 4])).toEqual({ ranking: [[1, 3], [4]], errors: {} });
		expect(rankingFromForm({ 'rank-1': '9', 'rank-7': '1' }, [1, 2]).errors).toEqual({ 'rank-1': expect.any(String), 'rank-7': expect.any(String) });
	});
});

describe('bad input', () => {
	it('refuses a ballot naming an unknown candidate, ranking one twice, or cast after the close', async () => {
		const s = await setup();
		const other = await buildNeed(t.db, { group: s.group, status: 'accepted' });
		const round = await open(s);
		const unknown = await failure(castBallot(as(s.voters[0]), round.id, { ranking: [[s.needs[0].id], [other.id]] }));
		expect(unknown).toMatchObject({ code: 'invalid_input', fields: { ranking: expect.stringContaining(`#${other.id}`) } });
		const twice = await failure(castBallot(as(s.voters[0]), round.id, { ranking: [[s.needs[0].id], [s.needs[0].id]] }));
		expect(twice).toMatchObject({ code: 'invalid_input', fields: { ranking: expect.stringMatching(/twice/) } });
		const malformed = await failure(castBallot(as(s.voters[0]), round.id, { ranking: [[]] }));
		expect(malformed?.code).toBe('invalid_input');
		await closeRound(as(s.chair), round.id);
		const late = await failure(castBallot(as(s.voters[0]), round.id, { ranking: [[s.needs[0].id]] }));
		expect(late).toMatchObject({ code: 'conflict' });
		expect(await t.db.selectFrom('priority_ballot').selectAll().where('round_id', '=', round.id).execute()).toEqual([]);
		expect((await failure(closeRound(as(s.chair), round.id)))?.code).toBe('conflict');
	});

	it('refuses a round with fewer than two candidates, needs of another group, merged, hidden or declined needs, an unknown cycle or a past closing time', async () => {
		const s = await setup();
		const elsewhere = await buildNeed(t.db, { status: 'accepted' });
		const hidden = await buildNeed(t.db, { group: s.group, hiddenAt: new Date('2027-01-05T00:00:00Z') });
		const declined = await buildNeed(t.db, { group: s.group, status: 'declined' });
		const merged = await buildNeed(t.db, { group: s.group, duplicateOf: s.needs[0] });
		const fields = async (extra: Record<string, unknown>) => (await failure(open(s, s.chair, extra)))?.fields ?? {};
		expect((await fields({ candidates: [s.needs[0].id] })).candidates).toMatch(/at least two/);
		expect((await fields({ candidates: [s.needs[0].id, s.needs[0].id] })).candidates).toMatch(/twice/);
		expect((await fields({ candidates: [s.needs[0].id, elsewhere.id] })).candidates).toMatch(/not a need of this group/);
		expect((await fields({ candidates: [s.needs[0].id, hidden.id] })).candidates).toMatch(/not a need of this group/);
		expect((await fields({ candidates: [s.needs[0].id, declined.id] })).candidates).toMatch(/declined/);
		expect((await fields({ candidates: [s.needs[1].id, merged.id] })).candidates).toMatch(/merged/);
		expect((await fields({ cycle: '2099.1' })).cycle).toMatch(/no cycle/);
		expect((await fields({ cycle: 'next' })).cycle).toBeTruthy();
		expect((await fields({ closesAt: '2020-01-01T00:00' })).closesAt).toMatch(/past/);
		expect((await fields({ closesAt: 'soon' })).closesAt).toBeTruthy();
		expect((await fields({ title: '' })).title).toBeTruthy();
		expect(await listRounds(as(s.chair), { groupId: s.group.id })).toEqual([]);
	});

	it('refuses to publish an open round', async () => {
		const s = await setup();
		const round = await open(s);
		expect((await failure(publishList(as(s.chair), round.id)))?.code).toBe('conflict');
	});
});

describe('who may do what', () => {
	type Role = 'visitor' | 'member' | 'groupMember' | 'moderator' | 'chair' | 'admin';
	const roles: Role[] = ['visitor', 'member', 'groupMember', 'moderator', 'chair', 'admin'];
	const who = (s: Setup, role: Role): MemberRow | null =>
		({ visitor: null, member: s.outsider, groupMember: s.voters[0], moderator: s.moderator, chair: s.chair, admin })[role];
	const outcome = async (promise: Promise<unknown>) => (await failure(promise))?.code ?? 'ok';

	// What each role gets, in an open group and a closed one.
	const expected: Record<'open' | 'closed', Record<string, Record<Role, string>>> = {
		open: {
			open: { visitor: 'unauthenticated', member: 'forbidden', groupMember: 'forbidden', moderator: 'forbidden', chair: 'ok', admin: 'ok' },
			vote: { visitor: 'unauthenticated', member: 'forbidden', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'forbidden' },
			readBallot: { visitor: 'unauthenticated', member: 'ok', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok' },
			readRound: { visitor: 'ok', member: 'ok', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok' },
			close: { visitor: 'unauthenticated', member: 'forbidden', groupMember: 'forbidden', moderator: 'forbidden', chair: 'ok', admin: 'ok' },
			publish: { visitor: 'unauthenticated', member: 'forbidden', groupMember: 'forbidden', moderator: 'forbidden', chair: 'ok', admin: 'ok' },
			readList: { visitor: 'ok', member: 'ok', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok' }
		},
		closed: {
			open: { visitor: 'unauthenticated', member: 'not_found', groupMember: 'forbidden', moderator: 'forbidden', chair: 'ok', admin: 'ok' },
			vote: { visitor: 'unauthenticated', member: 'not_found', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'forbidden' },
			readBallot: { visitor: 'unauthenticated', member: 'not_found', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok' },
			readRound: { visitor: 'not_found', member: 'not_found', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok' },
			close: { visitor: 'unauthenticated', member: 'not_found', groupMember: 'forbidden', moderator: 'forbidden', chair: 'ok', admin: 'ok' },
			publish: { visitor: 'unauthenticated', member: 'not_found', groupMember: 'forbidden', moderator: 'forbidden', chair: 'ok', admin: 'ok' },
			readList: { visitor: 'ok', member: 'ok', groupMember: 'ok', moderator: 'ok', chair: 'ok', admin: 'ok' }
		}
	};

	for (const visibility of ['open', 'closed'] as const) {
		it(`follows the matrix in ${visibility === 'open' ? 'an open' : 'a closed'} group`, async () => {
			const s = await setup(visibility, 1);
			const actual: Record<string, Record<Role, string>> = {};
			const record = (action: string, role: Role, result: string) => ((actual[action] ??= {} as Record<Role, string>)[role] = result);
			for (const role of roles) {
				record('open', role, await outcome(open(s, who(s, role) as MemberRow)));
			}
			const round = await open(s);
			for (const role of roles) {
				record('vote', role, await outcome(castBallot(as(who(s, role)), round.id, { ranking: [[s.needs[0].id]] })));
				record('readBallot', role, await outcome(myBallot(as(who(s, role)), round.id)));
				record('readRound', role, await outcome(getRoundPage(as(who(s, role)), round.id)));
			}
			for (const role of roles) {
				const fresh = await open(s);
				record('close', role, await outcome(closeRound(as(who(s, role)), fresh.id)));
			}
			await closeRound(as(s.chair), round.id);
			for (const role of roles) record('publish', role, await outcome(publishList(as(who(s, role)), round.id)));
			const list = (await listPublishedLists(t.db, { groupId: s.group.id }))[0];
			for (const role of roles) record('readList', role, await outcome(getPublishedList(t.db, list.id).then(() => void as(who(s, role)))));
			expect(actual).toEqual(expected[visibility]);
		});
	}

	it('nobody reads another member’s ballot: each sees only their own', async () => {
		const s = await setup('closed', 2);
		const round = await open(s);
		await castBallot(as(s.voters[0]), round.id, { ranking: [[s.needs[2].id]] });
		expect(await myBallot(as(s.voters[1]), round.id)).toBeNull();
		expect(await myBallot(as(s.chair), round.id)).toBeNull();
		expect(await myBallot(as(admin), round.id)).toBeNull();
		const chairView = await getRoundPage(as(s.chair), round.id);
		expect(chairView.myBallot).toBeNull();
		// Whole numbers only: a closed group's need ids are random ten-digit numbers that may contain the voter's id.
		expect(JSON.stringify(chairView).match(/\d+/g) ?? []).not.toContain(String(s.voters[0].id));
		expect(JSON.stringify(chairView)).not.toContain(s.voters[0].handle);
		await closeRound(as(s.chair), round.id);
		const list = await getPublishedList(t.db, (await publishList(as(s.chair), round.id)).id);
		for (const format of ['md', 'json'] as const) {
			const file = exportList(list, format).content;
			expect(file).not.toContain(s.voters[0].handle);
			expect(file).not.toContain('ranking');
		}
	});

	it('a closed group’s rounds stay hidden from outsiders, while its published lists are public', async () => {
		const s = await setup('closed', 1);
		const round = await open(s);
		expect(await listRounds(as(s.outsider))).not.toContainEqual(expect.objectContaining({ id: round.id }));
		expect(await listRounds(as(s.voters[0]))).toContainEqual(expect.objectContaining({ id: round.id }));
		const outside = await getGroupPriorities(as(s.outsider), s.group.slug);
		expect(outside.rounds).toEqual([]);
		expect(outside.mayOpen).toBe(false);
		await castBallot(as(s.voters[0]), round.id, { ranking: [[s.needs[1].id]] });
		await closeRound(as(s.chair), round.id);
		const list = await publishList(as(s.chair), round.id);
		expect((await getGroupPriorities(as(null), s.group.slug)).lists.map((l) => l.id)).toEqual([list.id]);
		expect((await getPublishedList(t.db, list.id)).content.entries[0].title).toBe(s.needs[1].title);
	});
});
