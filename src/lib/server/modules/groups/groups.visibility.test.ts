import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import type { Actor } from '#lib/server/platform/context.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { addMembership, buildGroup } from './groups.factories.ts';
import {
	getGroupDetail,
	getGroupPage,
	groupAbilities,
	groupWorkReadableBy,
	listGroups,
	listGroupsOfMember,
	mayReadGroupWork,
	maySeeMembers,
	readableGroupIds,
	requireGroupWorkReadable
} from './index.ts';
import { toMembership } from './groups.queries.ts';
import type { GroupMembershipRow, GroupRole, GroupRow, MembershipState } from './groups.tables.ts';

/*
 * The SQL twins of `mayReadGroupWork` (readableGroupIds, groupWorkReadableBy) and the single-item door
 * (requireGroupWorkReadable) must agree with the policy for every viewer and every group. So must the
 * group pages' member counts (maySeeMembers) and the list of a member's groups another member sees.
 *
 * A deterministic, exhaustive grid: two open and two closed groups; viewers: a visitor, a plain member,
 * an administrator, one viewer per (role, state) a membership row can hold in each group, and viewers
 * tied to several groups at once.
 */

let t: TestDatabase;
const TIES: Array<{ role: GroupRole; state: MembershipState }> = [
	{ role: 'member', state: 'active' },
	{ role: 'moderator', state: 'active' },
	{ role: 'chair', state: 'active' },
	{ role: 'member', state: 'requested' },
	{ role: 'member', state: 'invited' },
	{ role: 'chair', state: 'invited' }
];

interface Viewer {
	name: string;
	member: MemberRow | null;
	actor: Actor | null;
}
const groups: GroupRow[] = [];
const viewers: Viewer[] = [];
const memberships = new Map<string, GroupMembershipRow>();
const key = (groupId: number, memberId: number) => `${groupId}:${memberId}`;
/** For the column form of the filter: one need per group, and one in no group. */
const needOfGroup = new Map<number | null, number>();

async function tie(group: GroupRow, member: MemberRow, role: GroupRole, state: MembershipState) {
	memberships.set(key(group.id, member.id), await addMembership(t.db, group, member, { role, state }));
}
async function viewer(name: string, isAdmin = false) {
	const member = await buildMember(t.db, { isAdmin });
	viewers.push({ name, member, actor: toActor(member, 'session') });
	return member;
}

beforeAll(async () => {
	t = await createTestDatabase();
	for (const [i, visibility] of (['open', 'closed', 'open', 'closed'] as const).entries())
		groups.push(await buildGroup(t.db, { visibility, name: `${visibility} ${i}` }));
	viewers.push({ name: 'visitor', member: null, actor: null });
	await viewer('plain member');
	await viewer('administrator', true);
	await tie(groups[1], await viewer('administrator, invited to closed 1', true), 'member', 'invited');
	for (const group of groups) for (const { role, state } of TIES) await tie(group, await viewer(`${role} ${state} in ${group.name}`), role, state);
	const cross = await viewer('chair of closed 3, requested closed 1');
	await tie(groups[3], cross, 'chair', 'active');
	await tie(groups[1], cross, 'member', 'requested');
	const cross2 = await viewer('member of open 0 and closed 1');
	await tie(groups[0], cross2, 'member', 'active');
	await tie(groups[1], cross2, 'member', 'active');
	for (const group of [null, ...groups]) {
		const need = await buildNeed(t.db, { group: group && { id: group.id, visibility: group.visibility }, publishedAt: null });
		needOfGroup.set(group?.id ?? null, need.id);
	}
});
afterAll(() => t?.close());

const toMembershipOrNull = (row: GroupMembershipRow | null) => (row ? toMembership(row) : null);
const membershipOf = (v: Viewer, g: GroupRow) => (v.member ? (memberships.get(key(g.id, v.member.id)) ?? null) : null);
const policySays = (v: Viewer, g: GroupRow) => mayReadGroupWork(v.actor, g, membershipOf(v, g));
const readableByPolicy = (v: Viewer) => groups.filter((g) => policySays(v, g)).map((g) => g.id);
const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('the group visibility filters agree with mayReadGroupWork', () => {
	it('the grid has both answers for every closed group, and only yes for open ones', () => {
		for (const g of groups) {
			const answers = new Set(viewers.map((v) => policySays(v, g)));
			expect([...answers].sort(), g.name).toEqual(g.visibility === 'open' ? [true] : [false, true]);
		}
	});

	it('readableGroupIds is the set of groups the policy lets each viewer read', async () => {
		for (const v of viewers) {
			const rows = await t.db.selectFrom(readableGroupIds(v.actor).as('r')).select('r.id').execute();
			expect(sorted(rows.map((r) => r.id)), v.name).toEqual(sorted(readableByPolicy(v)));
		}
	});

	it('groupWorkReadableBy on a group column: readable groups, plus rows in no group unless nullIsPublic is false', async () => {
		for (const v of viewers) {
			const wantedNeeds = readableByPolicy(v).map((id) => needOfGroup.get(id)!);
			const mine = [...needOfGroup.values()];
			const withNull = await t.db
				.selectFrom('need')
				.select('need.id')
				.where('need.id', 'in', mine)
				.where(groupWorkReadableBy(v.actor, 'need.group_id'))
				.execute();
			expect(sorted(withNull.map((r) => r.id)), `${v.name}, null is public`).toEqual(sorted([needOfGroup.get(null)!, ...wantedNeeds]));
			const withoutNull = await t.db
				.selectFrom('need')
				.select('need.id')
				.where('need.id', 'in', mine)
				.where(groupWorkReadableBy(v.actor, 'need.group_id', { nullIsPublic: false }))
				.execute();
			expect(sorted(withoutNull.map((r) => r.id)), `${v.name}, null is not public`).toEqual(sorted(wantedNeeds));
		}
	});

	it('requireGroupWorkReadable lets in exactly those the policy lets in, and answers not_found to the others', async () => {
		for (const v of viewers) {
			const ctx = ctxFor(t.db, v.actor);
			expect(await requireGroupWorkReadable(ctx, null, 'The thing')).toBeNull();
			for (const g of groups) {
				let outcome: string;
				try {
					const access = await requireGroupWorkReadable(ctx, g.id, 'The thing');
					outcome = access?.group.id === g.id ? 'ok' : 'wrong group';
					expect(access?.membership ?? null).toEqual(toMembershipOrNull(membershipOf(v, g)));
				} catch (error) {
					if (!(error instanceof AppError)) throw error;
					outcome = error.code;
				}
				expect(outcome, `${v.name} / ${g.name}`).toBe(policySays(v, g) ? 'ok' : 'not_found');
			}
		}
	});

	it('member counts show in the list, the page and the API exactly where maySeeMembers says', async () => {
		for (const v of viewers) {
			const ctx = ctxFor(t.db, v.actor);
			const listed = new Map((await listGroups(ctx)).map((g) => [g.id, g]));
			for (const g of groups) {
				const may = maySeeMembers(v.actor, g, membershipOf(v, g));
				expect(may, 'members follow the work').toBe(policySays(v, g));
				expect(groupAbilities(v.actor, g, membershipOf(v, g)).readWork).toBe(policySays(v, g));
				expect(listed.get(g.id)?.memberCount !== null, `list: ${v.name} / ${g.name}`).toBe(may);
				expect((await getGroupPage(ctx, g.slug))?.memberCount !== null, `page: ${v.name} / ${g.name}`).toBe(may);
				expect((await getGroupDetail(ctx, g.slug))?.memberCount !== null, `api: ${v.name} / ${g.name}`).toBe(may);
			}
		}
	});

	it('the groups of another member show only where the viewer may read the group, and only active memberships; one’s own show all', async () => {
		const subjects = viewers.filter((v) => v.member);
		for (const v of viewers) {
			const ctx = ctxFor(t.db, v.actor);
			for (const s of subjects) {
				const shown = (await listGroupsOfMember(ctx, s.member!.id)).map((r) => r.group.id);
				const self = v.member?.id === s.member!.id;
				const wanted = groups.filter((g) => {
					const m = membershipOf(s, g);
					if (!m) return false;
					return self || (m.state === 'active' && policySays(v, g));
				});
				expect(sorted(shown), `${v.name} looks at ${s.name}`).toEqual(sorted(wanted.map((g) => g.id)));
			}
		}
	});
});
