import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { hashSecret } from '#lib/server/platform/auth/secrets.ts';
import { createToken, MAX_TOKENS, revokeToken } from './members.commands.ts';
import { buildMember } from './members.factories.ts';
import { actorForToken, listTokens, toActor } from './members.queries.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());

describe('personal API tokens', () => {
	it('creates a token whose secret is returned once and stored only as its hash', async () => {
		const owner = await buildMember(t.db);
		const clock = new TestClock();
		const { token, secret } = await createToken(ctxFor(t.db, owner, clock), { name: ' CI script ' });
		expect(secret).toMatch(/^cau_[A-Za-z0-9_-]{40,}$/);
		expect(token).toMatchObject({ name: 'CI script', prefix: secret.slice(0, 8), createdAt: clock.now(), lastUsedAt: null });
		const row = await t.db.selectFrom('api_token').selectAll().where('id', '=', token.id).executeTakeFirstOrThrow();
		expect(row.token_hash).toBe(hashSecret(secret));
		expect(JSON.stringify(row)).not.toContain(secret);
		const activity = await t.db
			.selectFrom('activity')
			.select('data')
			.where('action', '=', 'api_token.created')
			.where('subject_id', '=', token.id)
			.executeTakeFirstOrThrow();
		expect(JSON.stringify(activity.data)).not.toContain(secret);
	});

	it('authenticates with the token, records the last use at most once a minute, and stops after revocation', async () => {
		const owner = await buildMember(t.db, { handle: 'token-owner' });
		const clock = new TestClock();
		const ctx = ctxFor(t.db, owner, clock);
		const { token, secret } = await createToken(ctx, { name: 'cli' });

		expect(await actorForToken(t.db, secret, clock.now())).toMatchObject({ memberId: owner.id, handle: 'token-owner', via: 'token' });
		const firstUse = clock.now();
		expect((await listTokens(ctx, owner.id))[0].lastUsedAt).toEqual(firstUse);
		clock.advance(30_000);
		await actorForToken(t.db, secret, clock.now());
		expect((await listTokens(ctx, owner.id))[0].lastUsedAt).toEqual(firstUse);
		clock.advance(60_000);
		await actorForToken(t.db, secret, clock.now());
		expect((await listTokens(ctx, owner.id))[0].lastUsedAt).toEqual(clock.now());

		expect(await actorForToken(t.db, `${secret}x`, clock.now())).toBeNull();
		await revokeToken(ctx, token.id);
		expect(await actorForToken(t.db, secret, clock.now())).toBeNull();
		expect(await listTokens(ctx, owner.id)).toEqual([]);
		await expect(revokeToken(ctx, token.id)).rejects.toMatchObject({ code: 'not_found' });
	});

	it('lets only the owner revoke, and never lets a token make another token', async () => {
		const owner = await buildMember(t.db);
		const other = await buildMember(t.db);
		const admin = await buildMember(t.db, { isAdmin: true });
		const { token, secret } = await createToken(ctxFor(t.db, owner), { name: 'mine' });
		for (const who of [other, admin]) await expect(revokeToken(ctxFor(t.db, who), token.id)).rejects.toMatchObject({ code: 'forbidden' });
		await expect(revokeToken(ctxFor(t.db, null), token.id)).rejects.toMatchObject({ code: 'unauthenticated' });
		expect(await listTokens(ctxFor(t.db, owner), owner.id)).toHaveLength(1);

		const viaToken = (await actorForToken(t.db, secret, new Date()))!;
		await expect(createToken(ctxFor(t.db, viaToken), { name: 'child' })).rejects.toMatchObject({ code: 'forbidden' });
		// Revoking with a token is fine: it can only reduce access.
		await revokeToken(ctxFor(t.db, viaToken), token.id);
		expect(await actorForToken(t.db, secret, new Date())).toBeNull();
		// The command line acts as a person.
		await expect(createToken(ctxFor(t.db, toActor(owner, 'cli')), { name: 'from the cli' })).resolves.toBeTruthy();
	});

	it(`keeps at most ${MAX_TOKENS} live tokens and validates the name`, async () => {
		const owner = await buildMember(t.db);
		const ctx = ctxFor(t.db, owner);
		await expect(createToken(ctx, { name: '' })).rejects.toMatchObject({ code: 'invalid_input', fields: { name: expect.any(String) } });
		for (let i = 0; i < MAX_TOKENS; i++) await createToken(ctx, { name: `t${i}` });
		await expect(createToken(ctx, { name: 'one more' })).rejects.toMatchObject({ code: 'conflict' });
		const [newest] = await listTokens(ctx, owner.id);
		await revokeToken(ctx, newest.id);
		await expect(createToken(ctx, { name: 'one more' })).resolves.toBeTruthy();
	});
});
