import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import type { Actor, Ctx } from '#lib/server/platform/context.ts';
import { createCycle, cycleOn, findCycle, listCycles, mayManageCycles, mayReadCycles, requireManageCycles, updateCycle } from './index.ts';
import { buildCycle } from './cycles.factories.ts';
import type { CycleRow } from './cycles.tables.ts';

/*
 * The cycles authorization matrix. Cycles are the project's calendar: everyone reads them, only site
 * administrators create or change them. A group role (member, moderator, chair; of an open or a closed
 * group) gives nothing here. Each action is asserted on the pure policy and through the commands;
 * refused commands write no cycle and no activity, and leave the cycle they aimed at as it was.
 */

let t: TestDatabase;
const ROLES = ['visitor', 'member', 'openGroupMember', 'closedGroupMember', 'moderator', 'chair', 'closedChair', 'admin'] as const;
type Role = (typeof ROLES)[number];
type Outcome = 'ok' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'invalid_input';
type Row = Record<Role, Outcome>;
const row = (...outcomes: Outcome[]): Row => Object.fromEntries(ROLES.map((r, i) => [r, outcomes[i]])) as Row;

let people: Record<Exclude<Role, 'visitor'>, MemberRow>;

beforeAll(async () => {
	t = await createTestDatabase();
	people = {
		member: await buildMember(t.db),
		openGroupMember: await buildMember(t.db),
		closedGroupMember: await buildMember(t.db),
		moderator: await buildMember(t.db),
		chair: await buildMember(t.db),
		closedChair: await buildMember(t.db),
		admin: await buildMember(t.db, { isAdmin: true })
	};
	const open = await buildGroup(t.db, { visibility: 'open', chair: people.chair });
	await addMembership(t.db, open, people.openGroupMember);
	await addMembership(t.db, open, people.moderator, { role: 'moderator' });
	const closed = await buildGroup(t.db, { visibility: 'closed', chair: people.closedChair });
	await addMembership(t.db, closed, people.closedGroupMember);
});
afterAll(() => t?.close());

const actorOf = (role: Role): Actor | null => (role === 'visitor' ? null : toActor(people[role], 'session'));
const ctxOf = (role: Role): Ctx => ctxFor(t.db, role === 'visitor' ? null : people[role]);

let slugs = 0;
/** A fresh, valid, unused cycle input, so each case can only fail on who acts. */
const freshInput = () => {
	slugs += 1;
	const year = 2300 + slugs;
	return { slug: `${year}.1`, name: `Cycle ${year}`, startsOn: `${year}-01-01`, endsOn: `${year}-06-30` };
};

type Action = (ctx: Ctx, cycle: CycleRow) => Promise<unknown>;
const actions: Record<string, Action> = {
	read: async (ctx, cycle) => {
		// Reads take the database only: nothing about the actor can refuse them.
		if (!mayReadCycles(ctx.actor)) throw new AppError('forbidden', 'policy refuses reading');
		expect((await listCycles(ctx.db)).some((c) => c.id === cycle.id)).toBe(true);
		expect((await findCycle(ctx.db, cycle.slug))?.id).toBe(cycle.id);
		expect((await cycleOn(ctx.db, new Date(`${cycle.starts_on}T00:00:00Z`)))?.id).toBe(cycle.id);
	},
	createCycle: (ctx) => createCycle(ctx, freshInput()),
	updateCycle: (ctx, cycle) => updateCycle(ctx, cycle.slug, freshInput()),
	/** Authorization comes before validation: a refused actor learns nothing about the input. */
	createCycleInvalid: (ctx) => createCycle(ctx, { slug: 'spring', startsOn: '2031-02-30', endsOn: '2031-01-01' }),
	/** And before looking the cycle up: a refused actor cannot probe which slugs exist. */
	updateMissingCycle: (ctx) => updateCycle(ctx, '1999.9', freshInput())
};

//                        visitor            member       openGroupMember closedGroupMember moderator chair   closedChair  admin
const expected: Record<string, Row> = {
	read: row('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
	createCycle: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok'),
	updateCycle: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok'),
	createCycleInvalid: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'invalid_input'),
	updateMissingCycle: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'not_found')
};

/** What the pure policy says for each role: reading is for all, managing for administrators. */
const policyExpected = {
	mayReadCycles: row('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
	mayManageCycles: row('forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok')
};

const count = async (table: 'cycle' | 'activity') =>
	Number(
		(
			await t.db
				.selectFrom(table)
				.select((eb) => eb.fn.countAll<number>().as('n'))
				.executeTakeFirstOrThrow()
		).n
	);

describe('the cycles authorization matrix', () => {
	it('the pure policy: everyone reads, administrators manage', () => {
		for (const role of ROLES) {
			expect(mayReadCycles(actorOf(role)) ? 'ok' : 'forbidden', `mayReadCycles for ${role}`).toBe(policyExpected.mayReadCycles[role]);
			expect(mayManageCycles(actorOf(role)) ? 'ok' : 'forbidden', `mayManageCycles for ${role}`).toBe(policyExpected.mayManageCycles[role]);
			let outcome: Outcome = 'ok';
			try {
				requireManageCycles(actorOf(role));
			} catch (error) {
				outcome = (error as AppError).code as Outcome;
			}
			expect(outcome, `requireManageCycles for ${role}`).toBe(role === 'visitor' ? 'unauthenticated' : policyExpected.mayManageCycles[role]);
		}
	});

	it('an administrator connected by token or from the CLI manages cycles too; a member by token does not', () => {
		expect(mayManageCycles({ ...toActor(people.admin, 'session'), via: 'token' })).toBe(true);
		expect(mayManageCycles({ ...toActor(people.admin, 'session'), via: 'cli' })).toBe(true);
		expect(mayManageCycles({ ...toActor(people.member, 'session'), via: 'token' })).toBe(false);
	});

	it('covers every action', () => {
		expect(Object.keys(expected).sort()).toEqual(Object.keys(actions).sort());
	});

	for (const [name, action] of Object.entries(actions)) {
		it(`${name}`, async () => {
			const actual = {} as Row;
			for (const role of ROLES) {
				const cycle = await buildCycle(t.db);
				const before = { cycles: await count('cycle'), activity: await count('activity') };
				let outcome: Outcome;
				try {
					await action(ctxOf(role), cycle);
					outcome = 'ok';
				} catch (error) {
					if (!(error instanceof AppError)) throw error;
					outcome = error.code as Outcome;
				}
				actual[role] = outcome;
				const after = await t.db.selectFrom('cycle').selectAll().where('id', '=', cycle.id).executeTakeFirst();
				if (outcome === 'ok' && name !== 'read') {
					const last = await t.db.selectFrom('activity').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
					expect(last.action, `${name} by ${role}`).toMatch(/^cycle\./);
					expect(last.actor_id, `${name} by ${role} records who`).toBe(people.admin.id);
				} else {
					expect(await count('cycle'), `${name} by ${role} adds no cycle`).toBe(before.cycles);
					expect(await count('activity'), `${name} by ${role} records no activity`).toBe(before.activity);
					expect(after, `${name} by ${role} leaves the cycle as it was`).toEqual(cycle);
				}
			}
			expect(actual).toEqual(expected[name]);
		});
	}
});
