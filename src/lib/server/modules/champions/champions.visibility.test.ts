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
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { mayReadNeed, needFacts, type NeedRow } from '#lib/server/modules/needs/index.ts';
import { getNeedChampions, listNeedsWithoutChampion, mayVolunteer, WANTED_STATUSES } from './index.ts';
import { buildChampion, buildSponsor } from './champions.factories.ts';

/*
 * The champions module reads needs through needReadableBy (the "needs a champion" list) and loadNeedAccess
 * (a need's champions). Both must agree with the policy: the list holds exactly the needs the viewer may
 * read that are not hidden, wanted (accepted or with the developers) and have no standing champion; a
 * need's champions open exactly for readers, and `volunteer` is offered exactly where mayVolunteer says.
 * A deterministic grid: needs in no group, an open and a closed group × published or not × hidden or not
 * × accepted or new × with no champion, a standing champion, or only a sponsor and a champion who withdrew.
 */

let t: TestDatabase;
const TIES: Array<{ role: GroupRole; state: MembershipState }> = [
	{ role: 'member', state: 'active' },
	{ role: 'moderator', state: 'active' },
	{ role: 'chair', state: 'active' },
	{ role: 'member', state: 'requested' }
];
type Standing = 'none' | 'champion' | 'sponsorAndEnded';
interface Viewer {
	name: string;
	member: MemberRow | null;
	actor: Actor | null;
}
const viewers: Viewer[] = [];
const groups: GroupRow[] = [];
const memberships = new Map<string, GroupMembershipRow>();
const needs: Array<{ name: string; row: NeedRow; group: GroupRow | null; standing: Standing }> = [];

async function viewer(name: string, isAdmin = false) {
	const member = await buildMember(t.db, { isAdmin });
	viewers.push({ name, member, actor: toActor(member, 'session') });
	return member;
}

beforeAll(async () => {
	t = await createTestDatabase();
	for (const visibility of ['open', 'closed'] as const) groups.push(await buildGroup(t.db, { visibility }));
	viewers.push({ name: 'visitor', member: null, actor: null });
	await viewer('plain member');
	await viewer('administrator', true);
	for (const g of groups)
		for (const { role, state } of TIES) {
			const m = await viewer(`${role} ${state} in ${g.visibility}`);
			memberships.set(`${g.id}:${m.id}`, await addMembership(t.db, g, m, { role, state }));
		}
	const champion = await buildMember(t.db);
	for (const group of [null, ...groups])
		for (const published of [true, false])
			for (const hidden of [false, true])
				for (const status of ['accepted', 'new'] as const)
					for (const standing of ['none', 'champion', 'sponsorAndEnded'] as const) {
						const name = `${group?.visibility ?? 'no group'}, ${published ? 'published' : 'unpublished'}, ${hidden ? 'hidden' : 'shown'}, ${status}, ${standing}`;
						const row = await buildNeed(t.db, {
							title: name,
							group,
							status,
							publishedAt: published ? new Date('2026-11-02T00:00:00Z') : null,
							hiddenAt: hidden ? new Date('2026-11-03T00:00:00Z') : null
						});
						if (standing === 'champion') await buildChampion(t.db, { need: row, member: champion });
						// A champion who withdrew and a standing sponsor: neither is a standing champion.
						if (standing === 'sponsorAndEnded') {
							await buildChampion(t.db, { need: row, member: champion, endedAt: new Date('2026-11-04T00:00:00Z') });
							await buildSponsor(t.db, { need: row, member: champion });
						}
						needs.push({ name, row, group, standing });
					}
});
afterAll(() => t?.close());

const membershipOf = (v: Viewer, g: GroupRow | null) => (v.member && g ? (memberships.get(`${g.id}:${v.member.id}`) ?? null) : null);
const mayRead = (v: Viewer, n: (typeof needs)[number]) => mayReadNeed(v.actor, needFacts(n.row), n.group, membershipOf(v, n.group));
const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('the champions module’s reads agree with the policy', () => {
	it('“needs a champion” lists exactly the readable, shown, wanted needs with no standing champion', async () => {
		for (const v of viewers) {
			const listed = await listNeedsWithoutChampion(ctxFor(t.db, v.actor), { limit: 100 });
			expect(listed.nextCursor).toBeNull();
			const want = needs.filter(
				(n) => mayRead(v, n) && !n.row.hidden_at && (WANTED_STATUSES as readonly string[]).includes(n.row.status) && n.standing !== 'champion'
			);
			expect(sorted(listed.needs.map((n) => n.id)), v.name).toEqual(sorted(want.map((n) => n.row.id)));
		}
	});

	it('a need’s champions open exactly for readers, and volunteering is offered exactly where mayVolunteer says', async () => {
		const problems: string[] = [];
		for (const v of viewers) {
			const ctx = ctxFor(t.db, v.actor);
			for (const n of needs) {
				try {
					const page = await getNeedChampions(ctx, n.row.id);
					if (!mayRead(v, n)) problems.push(`${v.name} reads the champions of ${n.name}`);
					const may = mayVolunteer(v.actor, needFacts(n.row), n.group, membershipOf(v, n.group));
					if (page.abilities.volunteer !== may) problems.push(`${v.name} / ${n.name}: volunteer offered ${page.abilities.volunteer}, policy ${may}`);
					expect(page.champions.length, n.name).toBe(n.standing === 'champion' ? 1 : 0);
				} catch (error) {
					if (!(error instanceof AppError)) throw error;
					if (error.code !== 'not_found' || mayRead(v, n)) problems.push(`${v.name} / ${n.name}: ${error.code}`);
				}
			}
		}
		expect(problems).toEqual([]);
	}, 120_000);
});
