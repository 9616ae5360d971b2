import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import type { NeedRow } from './needs.tables.ts';
import { buildNeed } from './needs.factories.ts';
import { followNeed, supportNeed, unfollowNeed, withdrawSupport } from './needs.supports.ts';
import { addComment, deleteComment, editComment, hideComment, listComments } from './needs.comments.ts';
import { changeStatus, hideNeed, lockNeed, mergeNeed, publishNeed, splitNeed, undoMerge, unhideNeed, unlockNeed } from './needs.triage.ts';
import { getNeedHistory, listMerges } from './needs.history.ts';

/*
 * The authorization matrix: every role × every action on a need × an open and a closed group. Each cell
 * runs the real command on fresh data and compares the outcome (done, or the error code) with the rule.
 */

const ROLES = ['visitor', 'member', 'group member', 'moderator', 'chair', 'admin'] as const;
type Role = (typeof ROLES)[number];
type Visibility = 'open' | 'closed';
type Outcome = 'ok' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict';

let t: TestDatabase;
const clock = new TestClock();
let people: Record<Exclude<Role, 'visitor'>, MemberRow> & { author: MemberRow; setter: MemberRow };
const groups = {} as Record<Visibility, GroupRow>;

beforeAll(async () => {
	t = await createTestDatabase();
	const admin = await buildMember(t.db, { isAdmin: true, handle: 'matrix-admin' });
	people = {
		member: await buildMember(t.db, { handle: 'matrix-member' }),
		'group member': await buildMember(t.db, { handle: 'matrix-group-member' }),
		moderator: await buildMember(t.db, { handle: 'matrix-moderator' }),
		chair: await buildMember(t.db, { handle: 'matrix-chair' }),
		admin,
		author: await buildMember(t.db, { handle: 'matrix-author' }),
		setter: admin
	};
	for (const visibility of ['open', 'closed'] as const) {
		const group = await buildGroup(t.db, { visibility, chair: people.chair });
		await addMembership(t.db, group, people['group member']);
		await addMembership(t.db, group, people.moderator, { role: 'moderator' });
		await addMembership(t.db, group, people.author);
		groups[visibility] = group;
	}
});
afterAll(() => t?.close());

const ctxOf = (role: Role): Ctx => ctxFor(t.db, role === 'visitor' ? null : people[role], clock);

interface Fixture {
	need: NeedRow;
	other: NeedRow;
	commentId: number;
	mergeId: number;
}

type Kind = 'read' | 'take part' | 'edit others’ comment' | 'delete others’ comment' | 'moderate' | 'moderate hidden' | 'publish';

interface Action {
	name: string;
	kind: Kind;
	/** Data the action needs beyond a fresh need. */
	setup?: (f: Fixture, group: GroupRow) => Promise<void>;
	hidden?: boolean;
	run: (ctx: Ctx, f: Fixture) => Promise<unknown>;
}

const ACTIONS: Action[] = [
	{ name: 'read the history', kind: 'read', run: (ctx, f) => getNeedHistory(ctx, f.need.id) },
	{ name: 'list the merges', kind: 'read', run: (ctx, f) => listMerges(ctx, f.need.id) },
	{ name: 'list the comments', kind: 'read', run: (ctx, f) => listComments(ctx, f.need.id) },
	{ name: 'support', kind: 'take part', run: (ctx, f) => supportNeed(ctx, f.need.id, { impact: 'It hurts.' }) },
	{ name: 'withdraw support', kind: 'take part', run: (ctx, f) => withdrawSupport(ctx, f.need.id) },
	{ name: 'follow', kind: 'take part', run: (ctx, f) => followNeed(ctx, f.need.id) },
	{ name: 'unfollow', kind: 'take part', run: (ctx, f) => unfollowNeed(ctx, f.need.id) },
	{ name: 'comment', kind: 'take part', run: (ctx, f) => addComment(ctx, f.need.id, { body: 'Me too.' }) },
	{ name: 'edit another’s comment', kind: 'edit others’ comment', run: (ctx, f) => editComment(ctx, f.commentId, { body: 'Changed.' }) },
	{ name: 'delete another’s comment', kind: 'delete others’ comment', run: (ctx, f) => deleteComment(ctx, f.commentId) },
	{ name: 'hide a comment', kind: 'moderate', run: (ctx, f) => hideComment(ctx, f.commentId, { reason: 'Off topic.' }) },
	{ name: 'change the status', kind: 'moderate', run: (ctx, f) => changeStatus(ctx, f.need.id, { status: 'triaged', reason: 'Reproduced.' }) },
	{ name: 'merge', kind: 'moderate', run: (ctx, f) => mergeNeed(ctx, { sourceId: f.need.id, targetId: f.other.id, reason: 'Duplicate.' }) },
	{
		name: 'undo a merge',
		kind: 'moderate',
		setup: async (f) => {
			const { merge } = await mergeNeed(ctxFor(t.db, people.setter, clock), { sourceId: f.other.id, targetId: f.need.id, reason: 'Duplicate.' });
			f.mergeId = merge.id;
		},
		run: (ctx, f) => undoMerge(ctx, f.mergeId)
	},
	{ name: 'split', kind: 'moderate', run: (ctx, f) => splitNeed(ctx, f.need.id, { title: 'The other half of it', kind: 'feature', reason: 'Two needs.' }) },
	{ name: 'hide', kind: 'moderate', run: (ctx, f) => hideNeed(ctx, f.need.id, { reason: 'Spam.' }) },
	{ name: 'unhide', kind: 'moderate hidden', hidden: true, run: (ctx, f) => unhideNeed(ctx, f.need.id, { reason: 'Not spam.' }) },
	{
		name: 'lock',
		kind: 'moderate',
		run: (ctx, f) => lockNeed(ctx, f.need.id, { reason: 'Cooling off.' })
	},
	{
		name: 'unlock',
		kind: 'moderate',
		setup: async (f) => {
			await t.db.updateTable('need').set({ locked_at: new Date(), locked_by: people.setter.id }).where('id', '=', f.need.id).execute();
		},
		run: (ctx, f) => unlockNeed(ctx, f.need.id, { reason: 'Cooled off.' })
	},
	{ name: 'publish', kind: 'publish', run: (ctx, f) => publishNeed(ctx, f.need.id) }
];

const isModerator = (role: Role) => role === 'moderator' || role === 'chair' || role === 'admin';
const mayRead = (role: Role, visibility: Visibility) => visibility === 'open' || role === 'group member' || isModerator(role);

/** The rule, written out once: what each role gets for each kind of action. */
function expected(kind: Kind, role: Role, visibility: Visibility): Outcome {
	if (kind === 'read') return mayRead(role, visibility) ? 'ok' : 'not_found';
	if (role === 'visitor') return 'unauthenticated';
	if (kind === 'moderate hidden') return isModerator(role) ? 'ok' : 'not_found';
	if (!mayRead(role, visibility)) return 'not_found';
	switch (kind) {
		case 'take part':
			return 'ok';
		case 'edit others’ comment':
			return 'forbidden';
		case 'delete others’ comment':
		case 'moderate':
			return isModerator(role) ? 'ok' : 'forbidden';
		case 'publish':
			return !isModerator(role) ? 'forbidden' : visibility === 'closed' ? 'ok' : 'conflict';
	}
}

async function outcome(run: () => Promise<unknown>): Promise<Outcome> {
	try {
		await run();
		return 'ok';
	} catch (error) {
		const code = (error as { code?: string }).code;
		if (code === 'unauthenticated' || code === 'forbidden' || code === 'not_found' || code === 'conflict') return code;
		throw error;
	}
}

for (const visibility of ['open', 'closed'] as const) {
	describe(`a need in an ${visibility} group`, () => {
		for (const action of ACTIONS) {
			describe(action.name, () => {
				for (const role of ROLES) {
					const want = expected(action.kind, role, visibility);
					it(`${role}: ${want}`, async () => {
						const group = groups[visibility];
						const need = await buildNeed(t.db, {
							group,
							author: people.author,
							supporters: [people.author],
							hiddenAt: action.hidden ? new Date() : null,
							hiddenReason: action.hidden ? 'Spam?' : null
						});
						const other = await buildNeed(t.db, { group, author: people.author });
						const comment = await addComment(ctxFor(t.db, people.author, clock), need.id, { body: 'The author speaks.' }).catch(() => null);
						const fixture: Fixture = { need, other, commentId: comment?.id ?? 0, mergeId: 0 };
						if (action.hidden && !comment) {
							const row = await t.db
								.insertInto('need_comment')
								.values({ need_id: need.id, author_id: people.author.id, body: 'x', created_at: new Date() })
								.returning('id')
								.executeTakeFirstOrThrow();
							fixture.commentId = row.id;
						}
						await action.setup?.(fixture, group);
						expect(await outcome(() => action.run(ctxOf(role), fixture))).toBe(want);
					});
				}
			});
		}
	});
}

describe('the abilities pages show agree with the commands', () => {
	it('offers triage controls exactly to moderators, chairs and administrators', async () => {
		const { loadNeedAccess } = await import('./needs.access.ts');
		for (const visibility of ['open', 'closed'] as const) {
			const need = await buildNeed(t.db, { group: groups[visibility] });
			for (const role of ROLES) {
				if (!mayRead(role, visibility)) continue;
				const { abilities } = await loadNeedAccess(ctxOf(role), need.id);
				expect({ role, visibility, triage: abilities.triage, merge: abilities.merge, publish: abilities.publish }).toEqual({
					role,
					visibility,
					triage: isModerator(role),
					merge: isModerator(role),
					publish: isModerator(role) && visibility === 'closed'
				});
			}
		}
	});
});
