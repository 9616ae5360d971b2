import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import {
	acceptInvitation,
	approveRequest,
	createGroup,
	declineInvitation,
	declineRequest,
	invite,
	joinOpenGroup,
	leaveGroup,
	removeMember,
	requestToJoin,
	setRole,
	updateGroup
} from './groups.commands.ts';
import { addMembership, buildGroup } from './groups.factories.ts';
import type { GroupRow, GroupVisibility } from './groups.tables.ts';

/*
 * The authorization matrix: every command, run by every kind of actor, on an open and on a closed group,
 * each case on a fresh group so one case cannot prepare another. The outcome is the error code, or 'ok'.
 * Refusals must write nothing; successes must record activity carrying the group's id.
 */

let t: TestDatabase;
const ROLES = ['visitor', 'member', 'groupMember', 'moderator', 'chair', 'admin', 'invitee'] as const;
type Role = (typeof ROLES)[number];
type Outcome = 'ok' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'invalid_input';

let people: { member: MemberRow; groupMember: MemberRow; moderator: MemberRow; chair: MemberRow; coChair: MemberRow; admin: MemberRow };

beforeAll(async () => {
	t = await createTestDatabase();
	people = {
		member: await buildMember(t.db),
		groupMember: await buildMember(t.db),
		moderator: await buildMember(t.db),
		chair: await buildMember(t.db),
		coChair: await buildMember(t.db),
		admin: await buildMember(t.db, { isAdmin: true })
	};
});
afterAll(() => t?.close());

interface Scene {
	group: GroupRow;
	/** A member who asked to join. */
	requester: MemberRow;
	/** An active plain member, the target of role changes and removals. */
	other: MemberRow;
	/** A member with no tie to the group, to invite. */
	stranger: MemberRow;
	/** A member invited to the group; an actor in the 'invitee' column. */
	invitee: MemberRow;
}

async function scene(visibility: GroupVisibility): Promise<Scene> {
	const group = await buildGroup(t.db, { visibility, chair: people.chair });
	await addMembership(t.db, group, people.coChair, { role: 'chair' });
	await addMembership(t.db, group, people.moderator, { role: 'moderator' });
	await addMembership(t.db, group, people.groupMember);
	const requester = await buildMember(t.db);
	await addMembership(t.db, group, requester, { state: 'requested', message: 'let me in' });
	const other = await buildMember(t.db);
	await addMembership(t.db, group, other);
	const invitee = await buildMember(t.db);
	await addMembership(t.db, group, invitee, { state: 'invited', invitedBy: people.chair });
	return { group, requester, other, stranger: await buildMember(t.db), invitee };
}

function ctxOfRole(role: Role, s: Scene): Ctx {
	if (role === 'visitor') return ctxFor(t.db, null);
	if (role === 'invitee') return ctxFor(t.db, s.invitee);
	return ctxFor(t.db, people[role]);
}

type Command = (ctx: Ctx, s: Scene, visibility: GroupVisibility) => Promise<unknown>;

const commands: Record<string, Command> = {
	createGroup: (ctx, _s, visibility) => createGroup(ctx, { name: `New ${Math.random().toString(36).slice(2, 8)}`, kind: 'sig', visibility }),
	updateGroup: (ctx, s) => updateGroup(ctx, s.group.slug, { summary: 'Changed.' }),
	joinOpenGroup: (ctx, s) => joinOpenGroup(ctx, s.group.slug),
	requestToJoin: (ctx, s) => requestToJoin(ctx, s.group.slug, { message: 'Please.' }),
	approveRequest: (ctx, s) => approveRequest(ctx, s.group.slug, s.requester.handle),
	declineRequest: (ctx, s) => declineRequest(ctx, s.group.slug, s.requester.handle),
	invite: (ctx, s) => invite(ctx, s.group.slug, { handle: s.stranger.handle }),
	acceptInvitation: (ctx, s) => acceptInvitation(ctx, s.group.slug),
	declineInvitation: (ctx, s) => declineInvitation(ctx, s.group.slug),
	leaveGroup: (ctx, s) => leaveGroup(ctx, s.group.slug),
	setRole: (ctx, s) => setRole(ctx, s.group.slug, s.other.handle, { role: 'moderator' }),
	removeMember: (ctx, s) => removeMember(ctx, s.group.slug, s.other.handle)
};

type Row = Record<Role, Outcome>;
const row = (...outcomes: Outcome[]): Row => Object.fromEntries(ROLES.map((r, i) => [r, outcomes[i]])) as Row;

//                                  visitor            member       groupMember  moderator    chair        admin        invitee
const expected: Record<string, { open: Row; closed: Row }> = {
	createGroup: {
		open: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok', 'forbidden'),
		closed: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok', 'forbidden')
	},
	updateGroup: {
		open: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'forbidden'),
		closed: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'forbidden')
	},
	joinOpenGroup: {
		open: row('unauthenticated', 'ok', 'conflict', 'conflict', 'conflict', 'ok', 'ok'),
		closed: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden')
	},
	requestToJoin: {
		open: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden'),
		closed: row('unauthenticated', 'ok', 'conflict', 'conflict', 'conflict', 'ok', 'ok')
	},
	approveRequest: {
		open: row('unauthenticated', 'forbidden', 'forbidden', 'ok', 'ok', 'ok', 'forbidden'),
		closed: row('unauthenticated', 'forbidden', 'forbidden', 'ok', 'ok', 'ok', 'forbidden')
	},
	declineRequest: {
		open: row('unauthenticated', 'forbidden', 'forbidden', 'ok', 'ok', 'ok', 'forbidden'),
		closed: row('unauthenticated', 'forbidden', 'forbidden', 'ok', 'ok', 'ok', 'forbidden')
	},
	invite: {
		open: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'forbidden'),
		closed: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'forbidden')
	},
	acceptInvitation: {
		open: row('unauthenticated', 'not_found', 'conflict', 'conflict', 'conflict', 'not_found', 'ok'),
		closed: row('unauthenticated', 'not_found', 'conflict', 'conflict', 'conflict', 'not_found', 'ok')
	},
	declineInvitation: {
		open: row('unauthenticated', 'not_found', 'not_found', 'not_found', 'not_found', 'not_found', 'ok'),
		closed: row('unauthenticated', 'not_found', 'not_found', 'not_found', 'not_found', 'not_found', 'ok')
	},
	leaveGroup: {
		open: row('unauthenticated', 'not_found', 'ok', 'ok', 'ok', 'not_found', 'ok'),
		closed: row('unauthenticated', 'not_found', 'ok', 'ok', 'ok', 'not_found', 'ok')
	},
	setRole: {
		open: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'forbidden'),
		closed: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'forbidden')
	},
	removeMember: {
		open: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'forbidden'),
		closed: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'forbidden')
	}
};

async function activityCount(): Promise<number> {
	const { n } = await t.db
		.selectFrom('activity')
		.select((eb) => eb.fn.countAll<number>().as('n'))
		.executeTakeFirstOrThrow();
	return Number(n);
}

async function membershipSnapshot(groupId: number) {
	return t.db.selectFrom('group_membership').selectAll().where('group_id', '=', groupId).orderBy('member_id').execute();
}

describe('the groups authorization matrix', () => {
	it('covers every command', () => {
		expect(Object.keys(expected).sort()).toEqual(Object.keys(commands).sort());
	});

	for (const [name, command] of Object.entries(commands)) {
		for (const visibility of ['open', 'closed'] as const) {
			it(`${name} on ${visibility === 'open' ? 'an open' : 'a closed'} group`, async () => {
				const actual = {} as Row;
				for (const role of ROLES) {
					const s = await scene(visibility);
					const before = { activity: await activityCount(), memberships: await membershipSnapshot(s.group.id) };
					let outcome: Outcome;
					try {
						await command(ctxOfRole(role, s), s, visibility);
						outcome = 'ok';
					} catch (error) {
						if (!(error instanceof AppError)) throw error;
						outcome = error.code as Outcome;
					}
					actual[role] = outcome;
					if (outcome === 'ok') {
						const last = await t.db.selectFrom('activity').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
						expect(last.action, `${name} by ${role}`).toMatch(/^group\./);
						expect(last.group_id, `${name} by ${role} records its group`).not.toBeNull();
						if (name !== 'createGroup') expect(last.group_id).toBe(s.group.id);
					} else {
						expect(await activityCount(), `${name} by ${role} writes no activity`).toBe(before.activity);
						expect(await membershipSnapshot(s.group.id), `${name} by ${role} changes no membership`).toEqual(before.memberships);
					}
				}
				expect(actual).toEqual(expected[name][visibility]);
			});
		}
	}
});
