import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { CLI_ACTOR } from '#lib/server/platform/context.ts';
import { signIn, startSession } from './members.commands.ts';
import { buildMember, FACTORY_PASSWORD } from './members.factories.ts';
import { actorForSession, listActivity, toActor } from './members.queries.ts';
import { issueResetLink, resetLinkState, resetPassword } from './members.reset.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());

const web = { address: '192.0.2.80', userAgent: null };

describe('password reset by an administrator-issued link', () => {
	it('an administrator issues a one-time link, stored only as a hash; the member sets a new password and every session ends', async () => {
		const clock = new TestClock();
		const root = await buildMember(t.db, { handle: 'reset-root', isAdmin: true });
		const ana = await buildMember(t.db, { handle: 'reset-ana' });
		const anon = ctxFor(t.db, null, clock);
		const one = await startSession(anon, ana.id, null);
		const two = await startSession(anon, ana.id, null);

		const issued = await issueResetLink(ctxFor(t.db, root, clock), { handle: '@Reset-Ana' });
		expect(issued).toMatchObject({ member: { handle: 'reset-ana' }, path: `/reset/${issued.token}` });
		expect(issued.token).toMatch(/^rst_[A-Za-z0-9_-]{43}$/);
		expect(issued.expiresAt.getTime() - clock.now().getTime()).toBe(24 * 3_600_000);
		const stored = await t.db.selectFrom('password_reset_link').selectAll().where('member_id', '=', ana.id).execute();
		expect(stored).toHaveLength(1);
		expect(JSON.stringify(stored)).not.toContain(issued.token);
		expect(await resetLinkState(t.db, issued.token, clock.now())).toMatchObject({ state: 'valid', handle: 'reset-ana' });

		// The same rules as sign-up; a refused password leaves the link working.
		await expect(resetPassword(anon, issued.token, { password: 'short' })).rejects.toMatchObject({
			code: 'invalid_input',
			fields: { password: expect.any(String) }
		});
		expect((await resetLinkState(t.db, issued.token, clock.now())).state).toBe('valid');

		await resetPassword(anon, issued.token, { password: 'a new long password' });
		expect(await actorForSession(t.db, one.token, clock.now())).toBeNull();
		expect(await actorForSession(t.db, two.token, clock.now())).toBeNull();
		await expect(signIn(anon, { email: ana.email, password: FACTORY_PASSWORD }, web)).rejects.toMatchObject({ code: 'invalid_input' });
		await expect(signIn(anon, { email: ana.email, password: 'a new long password' }, web)).resolves.toBeTruthy();

		// Used once, never again.
		expect((await resetLinkState(t.db, issued.token, clock.now())).state).toBe('used');
		const again = await resetPassword(anon, issued.token, { password: 'another long password' }).catch((e) => e);
		expect(again).toMatchObject({ code: 'conflict' });
		expect(again.message).toMatch(/already been used/);

		// The log says who issued it and who reset, never the token.
		const { entries } = await listActivity(ctxFor(t.db, root, clock));
		expect(entries.slice(0, 2).map((e) => [e.action, e.actorHandle])).toEqual([
			['member.reset_password', 'reset-ana'],
			['member.reset_link_issued', 'reset-root']
		]);
		expect(JSON.stringify(entries)).not.toContain(issued.token);
	});

	it('an expired, unknown or superseded link gets a clear message and changes nothing', async () => {
		const clock = new TestClock();
		const root = await buildMember(t.db, { handle: 'exp-root', isAdmin: true });
		const bo = await buildMember(t.db, { handle: 'exp-bo' });
		const admin = ctxFor(t.db, root, clock);
		const anon = ctxFor(t.db, null, clock);

		const first = await issueResetLink(admin, { handle: 'exp-bo' });
		const second = await issueResetLink(admin, { handle: 'exp-bo' });
		expect((await resetLinkState(t.db, first.token, clock.now())).state).toBe('used');
		await expect(resetPassword(anon, first.token, { password: 'a new long password' })).rejects.toMatchObject({ code: 'conflict' });

		clock.advance(24 * 3_600_000 + 1000);
		expect((await resetLinkState(t.db, second.token, clock.now())).state).toBe('expired');
		const expired = await resetPassword(anon, second.token, { password: 'a new long password' }).catch((e) => e);
		expect(expired).toMatchObject({ code: 'conflict' });
		expect(expired.message).toMatch(/expired/);

		for (const wrong of ['rst_nothing-like-it', 'not-even-ours', `${second.token}x`, '']) {
			expect((await resetLinkState(t.db, wrong, clock.now())).state).toBe('unknown');
			const unknown = await resetPassword(anon, wrong, { password: 'a new long password' }).catch((e) => e);
			expect(unknown).toMatchObject({ code: 'not_found' });
			expect(unknown.message).toMatch(/not valid/);
		}
		const row = await t.db.selectFrom('member').select('password_hash').where('id', '=', bo.id).executeTakeFirstOrThrow();
		expect(row.password_hash).toBe(bo.password_hash);
	});

	it('lifts a sign-in lock-out, which points to it', async () => {
		const clock = new TestClock(new Date('2026-11-27T00:00:00Z'));
		const root = await buildMember(t.db, { handle: 'lock-root', isAdmin: true });
		const cy = await buildMember(t.db, { handle: 'lock-cy' });
		const anon = ctxFor(t.db, null, clock);
		for (let i = 0; i < 5; i++) await signIn(anon, { email: cy.email, password: 'guess' }, web).catch(() => null);
		const locked = await signIn(anon, { email: cy.email, password: FACTORY_PASSWORD }, web).catch((e) => e);
		expect(locked.message).toMatch(/ask an administrator for a reset link/);
		const { token } = await issueResetLink(ctxFor(t.db, root, clock), { handle: 'lock-cy' });
		await resetPassword(anon, token, { password: 'cy new password' });
		await expect(signIn(anon, { email: cy.email, password: 'cy new password' }, web)).resolves.toBeTruthy();
	});

	it('two uses of one link at once: one sets the password, the other is refused', async () => {
		const root = await buildMember(t.db, { handle: 'twice-root', isAdmin: true });
		await buildMember(t.db, { handle: 'twice-di' });
		const { token } = await issueResetLink(ctxFor(t.db, root), { handle: 'twice-di' });
		const results = await Promise.allSettled([
			resetPassword(ctxFor(t.db, null), token, { password: 'first long password' }),
			resetPassword(ctxFor(t.db, null), token, { password: 'second long password' })
		]);
		expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
	});

	it('only administrators issue links, from a session or the command line, never with an API token', async () => {
		const root = await buildMember(t.db, { handle: 'who-root', isAdmin: true });
		const ed = await buildMember(t.db, { handle: 'who-ed' });
		await expect(issueResetLink(ctxFor(t.db, null), { handle: 'who-ed' })).rejects.toMatchObject({ code: 'unauthenticated' });
		await expect(issueResetLink(ctxFor(t.db, ed), { handle: 'who-root' })).rejects.toMatchObject({ code: 'forbidden' });
		await expect(issueResetLink(ctxFor(t.db, toActor(root, 'token')), { handle: 'who-ed' })).rejects.toMatchObject({ code: 'forbidden' });
		// A role revoked since the request began no longer holds.
		await expect(issueResetLink(ctxFor(t.db, { ...toActor(ed, 'session'), isAdmin: true }), { handle: 'who-root' })).rejects.toMatchObject({
			code: 'forbidden'
		});
		await expect(issueResetLink(ctxFor(t.db, root), { handle: 'nobody-here' })).rejects.toMatchObject({ code: 'not_found' });
		const cli = await issueResetLink(ctxFor(t.db, CLI_ACTOR), { handle: 'who-ed' });
		expect(cli.member.handle).toBe('who-ed');
		expect(await t.db.selectFrom('password_reset_link').select('issued_by').where('member_id', '=', ed.id).executeTakeFirstOrThrow()).toEqual({
			issued_by: null
		});
		expect(await t.db.selectFrom('password_reset_link').select('id').where('member_id', '=', ed.id).execute()).toHaveLength(1);
	});
});
