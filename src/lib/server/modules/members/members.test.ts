import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { changePassword, createFirstAdmin, signIn, signUp } from './members.commands.ts';
import { actorForSession, countMembers } from './members.queries.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());

const address = { address: '192.0.2.10', userAgent: 'vitest' };

describe('a site without an administrator', () => {
	it('takes no sign-up from the web, and lets /setup make the first administrator even if members exist', async () => {
		const empty = await createTestDatabase();
		try {
			const ctx = ctxFor(empty.db, null);
			const early = { email: 'early@example.org', password: 'a long password', handle: 'early', displayName: 'Early' };
			await expect(signUp(ctx, early, address)).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('/setup') });
			expect(await countMembers(empty.db)).toBe(0);
			// A member from before this rule (or from the command line) does not close /setup.
			await signUp(ctx, early);
			const admin = await createFirstAdmin(ctx, { email: 'root@example.org', password: 'a long password', handle: 'root', displayName: 'Root' });
			expect(admin.isAdmin).toBe(true);
			await signUp(ctx, { email: 'later@example.org', password: 'a long password', handle: 'later', displayName: 'Later' }, address);
			expect(await countMembers(empty.db)).toBe(3);
		} finally {
			await empty.close();
		}
	});
});

describe('accounts', () => {
	it('creates the first administrator once, then refuses a second', async () => {
		const ctx = ctxFor(t.db, null);
		const admin = await createFirstAdmin(ctx, { email: 'Root@Example.org', password: 'a long password', handle: 'Root', displayName: 'Root' });
		expect(admin).toMatchObject({ email: 'root@example.org', handle: 'root', isAdmin: true });
		await expect(
			createFirstAdmin(ctx, { email: 'other@example.org', password: 'a long password', handle: 'other', displayName: 'Other' })
		).rejects.toMatchObject({
			code: 'forbidden'
		});
		expect(await countMembers(t.db)).toBe(1);
	});

	it('signs up, refuses a taken e-mail or handle with a field error and writes nothing', async () => {
		const ctx = ctxFor(t.db, null);
		await signUp(ctx, { email: 'ana@example.org', password: 'a long password', handle: 'ana', displayName: 'Ana' });
		const before = await countMembers(t.db);
		const taken = await signUp(ctx, { email: 'ANA@example.org', password: 'a long password', handle: 'ana2', displayName: 'Ana' }).catch((e) => e);
		expect(taken).toBeInstanceOf(AppError);
		expect(taken.fields).toHaveProperty('email');
		const handle = await signUp(ctx, { email: 'ana2@example.org', password: 'a long password', handle: 'ANA', displayName: 'Ana' }).catch((e) => e);
		expect(handle.fields).toHaveProperty('handle');
		expect(await countMembers(t.db)).toBe(before);
	});

	it('names every bad field of a sign-up', async () => {
		const error = await signUp(ctxFor(t.db, null), { email: 'nope', password: 'short', handle: '-x-', displayName: '' }).catch((e) => e);
		expect(Object.keys(error.fields).sort()).toEqual(['displayName', 'email', 'handle', 'password']);
	});

	it('signs in to a session that identifies the member, and rate limits failures per account', async () => {
		const clock = new TestClock();
		const ctx = ctxFor(t.db, null, clock);
		await signUp(ctx, { email: 'bo@example.org', password: 'bo password 1', handle: 'bo', displayName: 'Bo' });
		const { session } = await signIn(ctx, { email: 'bo@example.org', password: 'bo password 1' }, address);
		expect(await actorForSession(t.db, session.token, clock.now())).toMatchObject({ handle: 'bo' });

		for (let i = 0; i < 5; i++) {
			await expect(signIn(ctx, { email: 'bo@example.org', password: 'wrong' }, address)).rejects.toMatchObject({ code: 'invalid_input' });
		}
		await expect(signIn(ctx, { email: 'bo@example.org', password: 'bo password 1' }, address)).rejects.toMatchObject({ code: 'rate_limited' });
		clock.advance(16 * 60_000);
		await expect(signIn(ctx, { email: 'bo@example.org', password: 'bo password 1' }, address)).resolves.toBeTruthy();
	});

	it('changing the password ends the other sessions but keeps this one', async () => {
		const clock = new TestClock(new Date('2026-12-01T00:00:00Z'));
		const anon = ctxFor(t.db, null, clock);
		await signUp(anon, { email: 'cy@example.org', password: 'cy password 1', handle: 'cy', displayName: 'Cy' });
		const one = await signIn(anon, { email: 'cy@example.org', password: 'cy password 1' }, address);
		const two = await signIn(anon, { email: 'cy@example.org', password: 'cy password 1' }, address);
		const actor = (await actorForSession(t.db, one.session.token, clock.now()))!;
		await changePassword({ ...anon, actor }, { currentPassword: 'cy password 1', newPassword: 'cy password 2' }, one.session.token);
		expect(await actorForSession(t.db, one.session.token, clock.now())).not.toBeNull();
		expect(await actorForSession(t.db, two.session.token, clock.now())).toBeNull();
		await expect(signIn(anon, { email: 'cy@example.org', password: 'cy password 2' }, address)).resolves.toBeTruthy();
	});
});
