import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import type { Actor, Ctx } from '#lib/server/platform/context.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { FACTORY_PASSWORD, buildMember } from './members.factories.ts';
import {
	addDeployment,
	changePassword,
	createToken,
	removeDeployment,
	revokeToken,
	setAdmin,
	signOutEverywhere,
	updateDeployment,
	updateProfile
} from './members.commands.ts';
import { getOwnDeployment, listAccounts, listActivity, memberStats, toActor } from './members.queries.ts';
import type { MemberRow } from './members.tables.ts';

/**
 * The members policy as a matrix: every command (and the admin-only queries) run by a visitor, the
 * member who owns the subject, another member, an administrator, and the owner through an API token.
 * "ok" means the command went through; otherwise the error code it must fail with.
 */
type Role = 'visitor' | 'member' | 'other member' | 'admin' | 'member via token';
type Outcome = 'ok' | 'unauthenticated' | 'forbidden' | 'not_found';

interface Fixture {
	owner: MemberRow;
	deploymentId: number;
	tokenId: number;
}

const ROLES: Role[] = ['visitor', 'member', 'other member', 'admin', 'member via token'];

const row = (visitor: Outcome, member: Outcome, other: Outcome, admin: Outcome, token: Outcome): Record<Role, Outcome> => ({
	visitor,
	member,
	'other member': other,
	admin,
	'member via token': token
});

const MATRIX: Record<string, { run: (ctx: Ctx, f: Fixture) => Promise<unknown>; expected: Record<Role, Outcome> }> = {
	// Acts on the actor's own profile: anybody signed in may, on themselves.
	updateProfile: { run: (ctx) => updateProfile(ctx, { bio: 'changed' }), expected: row('unauthenticated', 'ok', 'ok', 'ok', 'ok') },
	addDeployment: { run: (ctx) => addDeployment(ctx, { name: 'new' }), expected: row('unauthenticated', 'ok', 'ok', 'ok', 'ok') },
	// Another member's deployment answers as a missing one does (decision 0014).
	updateDeployment: {
		run: (ctx, f) => updateDeployment(ctx, f.deploymentId, { name: 'renamed' }),
		expected: row('unauthenticated', 'ok', 'not_found', 'not_found', 'ok')
	},
	removeDeployment: { run: (ctx, f) => removeDeployment(ctx, f.deploymentId), expected: row('unauthenticated', 'ok', 'not_found', 'not_found', 'ok') },
	createToken: { run: (ctx) => createToken(ctx, { name: 'new' }), expected: row('unauthenticated', 'ok', 'ok', 'ok', 'forbidden') },
	revokeToken: { run: (ctx, f) => revokeToken(ctx, f.tokenId), expected: row('unauthenticated', 'ok', 'forbidden', 'forbidden', 'ok') },
	setAdmin: {
		run: (ctx, f) => setAdmin(ctx, { handle: f.owner.handle, isAdmin: true }),
		expected: row('unauthenticated', 'forbidden', 'forbidden', 'ok', 'forbidden')
	},
	changePassword: {
		run: (ctx) => changePassword(ctx, { currentPassword: FACTORY_PASSWORD, newPassword: 'another long password' }, null),
		expected: row('unauthenticated', 'ok', 'ok', 'ok', 'ok')
	},
	signOutEverywhere: { run: (ctx) => signOutEverywhere(ctx), expected: row('unauthenticated', 'ok', 'ok', 'ok', 'ok') },
	// Reads with a rule of their own.
	getOwnDeployment: {
		run: async (ctx, f) => {
			if (!(await getOwnDeployment(ctx, f.deploymentId))) throw new AppError('not_found', 'not theirs');
		},
		expected: row('unauthenticated', 'ok', 'not_found', 'not_found', 'ok')
	},
	listActivity: { run: (ctx) => listActivity(ctx), expected: row('unauthenticated', 'forbidden', 'forbidden', 'ok', 'forbidden') },
	listAccounts: { run: (ctx) => listAccounts(ctx), expected: row('unauthenticated', 'forbidden', 'forbidden', 'ok', 'forbidden') },
	memberStats: { run: (ctx) => memberStats(ctx), expected: row('unauthenticated', 'forbidden', 'forbidden', 'ok', 'forbidden') }
};

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());

async function setUp(role: Role): Promise<{ ctx: Ctx; fixture: Fixture }> {
	const owner = await buildMember(t.db);
	const ownerCtx = ctxFor(t.db, owner);
	const { id: deploymentId } = await addDeployment(ownerCtx, { name: 'prod', nodes: 10 });
	const { token } = await createToken(ownerCtx, { name: 'script' });
	let actor: Actor | null = null;
	if (role === 'member') actor = toActor(owner, 'session');
	if (role === 'member via token') actor = toActor(owner, 'token');
	if (role === 'other member') actor = toActor(await buildMember(t.db), 'session');
	if (role === 'admin') actor = toActor(await buildMember(t.db, { isAdmin: true }), 'session');
	return { ctx: ctxFor(t.db, actor), fixture: { owner, deploymentId, tokenId: token.id } };
}

async function outcome(work: () => Promise<unknown>): Promise<Outcome | string> {
	try {
		await work();
		return 'ok';
	} catch (error) {
		if (error instanceof AppError) return error.code;
		throw error;
	}
}

describe('members policy matrix', () => {
	for (const [command, { run, expected }] of Object.entries(MATRIX)) {
		it(command, async () => {
			const actual: Record<string, string> = {};
			for (const role of ROLES) {
				const { ctx, fixture } = await setUp(role);
				actual[role] = await outcome(() => run(ctx, fixture));
			}
			expect(actual).toEqual(expected);
		});
	}
});
