import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import { setAdmin, updateProfile } from './members.commands.ts';
import { buildMember } from './members.factories.ts';
import { listAccounts, listActivity, memberStats, toActor } from './members.queries.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());

const admins = async () => (await t.db.selectFrom('member').select('handle').where('is_admin', '=', true).orderBy('handle').execute()).map((r) => r.handle);

describe('administration', () => {
	it('grants and revokes the admin role, records it, and refuses to remove the last administrator', async () => {
		const root = await buildMember(t.db, { handle: 'root', isAdmin: true });
		const ana = await buildMember(t.db, { handle: 'ana-a' });
		const ctx = ctxFor(t.db, root);

		await expect(setAdmin(ctx, { handle: 'root', isAdmin: false })).rejects.toMatchObject({ code: 'conflict', fields: { isAdmin: expect.any(String) } });
		expect(await admins()).toEqual(['root']);

		expect(await setAdmin(ctx, { handle: 'ANA-A', isAdmin: 'true' })).toMatchObject({ handle: 'ana-a', isAdmin: true });
		expect(await admins()).toEqual(['ana-a', 'root']);
		// Setting what already holds changes and records nothing.
		const before = (await listActivity(ctx)).entries.length;
		await setAdmin(ctx, { handle: 'ana-a', isAdmin: true });
		expect((await listActivity(ctx)).entries.length).toBe(before);

		// Now root may step down; then ana is the last one.
		await setAdmin(ctx, { handle: 'root', isAdmin: false });
		const anaCtx = ctxFor(t.db, { ...toActor(ana, 'session'), isAdmin: true });
		await expect(setAdmin(anaCtx, { handle: 'ana-a', isAdmin: false })).rejects.toMatchObject({ code: 'conflict' });
		expect(await admins()).toEqual(['ana-a']);

		const { entries } = await listActivity(anaCtx);
		expect(entries.slice(0, 2).map((e) => [e.action, e.actorHandle, e.subjectHandle])).toEqual([
			['member.revoked_admin', 'root', 'root'],
			['member.granted_admin', 'root', 'ana-a']
		]);
	});

	it('two administrators revoking each other at once leave one administrator', async () => {
		await t.db.updateTable('member').set({ is_admin: false }).execute();
		const x = await buildMember(t.db, { handle: 'race-x', isAdmin: true });
		const y = await buildMember(t.db, { handle: 'race-y', isAdmin: true });
		const results = await Promise.allSettled([
			setAdmin(ctxFor(t.db, x), { handle: 'race-y', isAdmin: false }),
			setAdmin(ctxFor(t.db, y), { handle: 'race-x', isAdmin: false })
		]);
		expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
		expect(await admins()).toHaveLength(1);
	});

	it('an actor whose role was revoked since the request began is refused', async () => {
		await t.db.updateTable('member').set({ is_admin: false }).execute();
		await buildMember(t.db, { handle: 'stale-keeper', isAdmin: true });
		const stale = await buildMember(t.db, { handle: 'stale', isAdmin: false });
		const staleActor = { ...toActor(stale, 'session'), isAdmin: true };
		await expect(setAdmin(ctxFor(t.db, staleActor), { handle: 'stale', isAdmin: true })).rejects.toMatchObject({ code: 'forbidden' });
	});

	it('the command line, acting for the machine owner, may grant the role even when no administrator is left', async () => {
		await t.db.updateTable('member').set({ is_admin: false }).execute();
		await buildMember(t.db, { handle: 'rescued' });
		const cli = { memberId: 0, handle: 'cli', displayName: 'Command line', isAdmin: true, via: 'cli' as const };
		expect(await setAdmin(ctxFor(t.db, cli), { handle: 'rescued', isAdmin: true })).toMatchObject({ isAdmin: true });
		expect(await admins()).toEqual(['rescued']);
	});

	it('answers an unknown handle or bad input clearly', async () => {
		const root = await buildMember(t.db, { isAdmin: true });
		await expect(setAdmin(ctxFor(t.db, root), { handle: 'nobody-here', isAdmin: true })).rejects.toMatchObject({ code: 'not_found' });
		await expect(setAdmin(ctxFor(t.db, root), untrusted({ handle: 'x', isAdmin: 'maybe' }))).rejects.toMatchObject({
			code: 'invalid_input',
			fields: { isAdmin: expect.any(String) }
		});
	});

	it('keeps the audit log, the e-mail list and the counts for administrators', async () => {
		const root = await buildMember(t.db, { isAdmin: true });
		const member = await buildMember(t.db, { handle: 'plain-a' });
		await updateProfile(ctxFor(t.db, member), { bio: 'hi' });
		for (const who of [null, member]) {
			const ctx = ctxFor(t.db, who);
			await expect(listActivity(ctx)).rejects.toMatchObject({ code: who ? 'forbidden' : 'unauthenticated' });
			await expect(listAccounts(ctx)).rejects.toMatchObject({ code: who ? 'forbidden' : 'unauthenticated' });
			await expect(memberStats(ctx)).rejects.toMatchObject({ code: who ? 'forbidden' : 'unauthenticated' });
		}
		const ctx = ctxFor(t.db, root);
		const { accounts } = await listAccounts(ctx, { query: 'plain-a' });
		expect(accounts).toEqual([expect.objectContaining({ handle: 'plain-a', email: 'plain-a@example.org' })]);
		const stats = await memberStats(ctx);
		expect(stats.members).toBeGreaterThanOrEqual(2);
		expect(stats.admins).toBeGreaterThanOrEqual(1);

		const page1 = await listActivity(ctx, { limit: 2 });
		expect(page1.entries).toHaveLength(2);
		const page2 = await listActivity(ctx, { limit: 2, before: page1.next! });
		expect(page2.entries[0].id).toBeLessThan(page1.entries[1].id);
	});
});
