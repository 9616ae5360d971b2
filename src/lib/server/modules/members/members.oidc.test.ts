import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OidcConfig } from '#lib/server/platform/config.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import { signInAtTestProvider, startTestOidcProvider, type TestOidcProvider } from '#lib/server/testing/oidc-provider.ts';
import { buildMember } from './members.factories.ts';
import { handle as handleSchema } from './members.schemas.ts';
import { completeOidcSignIn, handleFrom, isLoopbackHost, OidcSignInError, startOidcSignIn } from './members.oidc.ts';

const redirectUri = 'http://127.0.0.1:5173/signin/oidc/callback';
let t: TestDatabase;
let op: TestOidcProvider;
let settings: OidcConfig;

beforeAll(async () => {
	[t, op] = await Promise.all([createTestDatabase(), startTestOidcProvider({ clientId: 'caucus', clientSecret: 'caucus-test-secret', redirectUri })]);
	settings = { issuer: op.issuer, clientId: 'caucus', clientSecret: 'caucus-test-secret', name: 'Test SSO' };
});
afterAll(async () => {
	await op?.close();
	await t?.close();
});

/** The whole round trip: start, log in at the provider as `sub`, come back and complete. */
async function signInAs(sub: string) {
	const flow = await startOidcSignIn({ redirectUri, settings });
	const back = await signInAtTestProvider(flow.url, sub);
	return completeOidcSignIn(ctxFor(t.db, null), { currentUrl: back, expected: flow, settings });
}

const counts = async () => {
	const [members, identities, activity] = await Promise.all(
		(['member', 'member_identity', 'activity'] as const).map((table) =>
			t.db
				.selectFrom(table)
				.select((eb) => eb.fn.countAll<number>().as('n'))
				.executeTakeFirstOrThrow()
				.then((r) => Number(r.n))
		)
	);
	return { members, identities, activity };
};

describe('sign-in with an OpenID Connect provider', () => {
	it('asks for the code flow with PKCE, state and nonce', async () => {
		const flow = await startOidcSignIn({ redirectUri, settings });
		expect(flow.url.origin).toBe(op.issuer);
		expect(Object.fromEntries(flow.url.searchParams)).toMatchObject({
			client_id: 'caucus',
			redirect_uri: redirectUri,
			response_type: 'code',
			scope: 'openid email profile',
			state: flow.state,
			nonce: flow.nonce,
			code_challenge_method: 'S256'
		});
		expect(flow.url.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
	});

	it('creates a member for a new identity and links it; the next sign-in reuses it', async () => {
		op.accounts.set('new-1', { sub: 'new-1', email: 'Zoe.Quinn@Example.org', email_verified: true, name: 'Zoë Quinn', preferred_username: 'Zoë.Q' });
		const before = await counts();
		const first = await signInAs('new-1');
		expect(first.outcome).toBe('created');
		const member = await t.db.selectFrom('member').selectAll().where('id', '=', first.memberId).executeTakeFirstOrThrow();
		expect(member).toMatchObject({ email: 'zoe.quinn@example.org', display_name: 'Zoë Quinn', handle: 'zoe-q', password_hash: null, email_verified: true });
		const identity = await t.db.selectFrom('member_identity').selectAll().where('member_id', '=', first.memberId).executeTakeFirstOrThrow();
		expect(identity).toMatchObject({ issuer: op.issuer, subject: 'new-1', email: 'zoe.quinn@example.org' });
		const activity = await t.db.selectFrom('activity').selectAll().where('subject_id', '=', first.memberId).execute();
		expect(activity).toEqual([
			expect.objectContaining({ action: 'member.signed_up', actor_id: first.memberId, data: expect.objectContaining({ via: 'oidc' }) })
		]);
		expect(await counts()).toEqual({ members: before.members + 1, identities: before.identities + 1, activity: before.activity + 1 });

		// Even after the e-mail changed at the provider, the identity (issuer + sub) finds the same member.
		op.accounts.set('new-1', { sub: 'new-1', email: 'zoe@elsewhere.example', email_verified: false, name: 'Zoë Q.' });
		const second = await signInAs('new-1');
		expect(second).toEqual({ memberId: first.memberId, outcome: 'signed_in' });
		expect(await counts()).toEqual({ members: before.members + 1, identities: before.identities + 1, activity: before.activity + 1 });
	});

	it('makes a taken handle unique and creates unverified members as unverified', async () => {
		await buildMember(t.db, { handle: 'sam' });
		await buildMember(t.db, { handle: 'sam-2' });
		op.accounts.set('sam-at-op', { sub: 'sam-at-op', email: 'sam@op.example', email_verified: false });
		const result = await signInAs('sam-at-op');
		const member = await t.db.selectFrom('member').selectAll().where('id', '=', result.memberId).executeTakeFirstOrThrow();
		expect(member).toMatchObject({ handle: 'sam-3', display_name: 'sam', email_verified: false });
	});

	it('links a new identity to the member with the same verified e-mail instead of making another', async () => {
		const existing = await buildMember(t.db, { email: 'ines@example.org', handle: 'ines' });
		op.accounts.set('ines-at-op', { sub: 'ines-at-op', email: 'INES@example.org', email_verified: true, name: 'Inés' });
		const before = await counts();
		const result = await signInAs('ines-at-op');
		expect(result).toEqual({ memberId: existing.id, outcome: 'linked' });
		expect(await counts()).toEqual({ members: before.members, identities: before.identities + 1, activity: before.activity + 1 });
		const member = await t.db.selectFrom('member').selectAll().where('id', '=', existing.id).executeTakeFirstOrThrow();
		expect(member).toMatchObject({ handle: 'ines', email_verified: true, password_hash: existing.password_hash });
		expect(await signInAs('ines-at-op')).toEqual({ memberId: existing.id, outcome: 'signed_in' });
	});

	it('refuses to join an unverified e-mail to an existing member and writes nothing', async () => {
		await buildMember(t.db, { email: 'victim@example.org', handle: 'victim' });
		op.accounts.set('attacker', { sub: 'attacker', email: 'victim@example.org', email_verified: false, name: 'Not the victim' });
		const before = await counts();
		const error = await signInAs('attacker').catch((e) => e);
		expect(error).toBeInstanceOf(OidcSignInError);
		expect(error).toMatchObject({ reason: 'unverified_email', code: 'conflict' });
		expect(error.message).toMatch(/has not verified/);
		expect(await counts()).toEqual(before);
		expect(await t.db.selectFrom('member_identity').select('subject').where('subject', '=', 'attacker').execute()).toEqual([]);
	});

	it('refuses an answer whose state is not the one this browser keeps, and a missing flow', async () => {
		op.accounts.set('state-1', { sub: 'state-1', email: 'state@example.org', email_verified: true });
		const flow = await startOidcSignIn({ redirectUri, settings });
		const back = await signInAtTestProvider(flow.url, 'state-1');
		const before = await counts();
		const ctx = ctxFor(t.db, null);
		await expect(completeOidcSignIn(ctx, { currentUrl: back, expected: { ...flow, state: 'another-state' }, settings })).rejects.toMatchObject({
			reason: 'state'
		});
		await expect(completeOidcSignIn(ctx, { currentUrl: back, expected: null, settings })).rejects.toMatchObject({ reason: 'expired' });
		// Another flow's verifier and nonce cannot redeem this code either.
		const other = await startOidcSignIn({ redirectUri, settings });
		await expect(completeOidcSignIn(ctx, { currentUrl: back, expected: { ...other, state: flow.state }, settings })).rejects.toMatchObject({
			reason: 'failed'
		});
		expect(await counts()).toEqual(before);
	});

	it('reports a cancelled login at the provider', async () => {
		const flow = await startOidcSignIn({ redirectUri, settings });
		const back = await signInAtTestProvider(flow.url, '', { cancel: true });
		expect(back.searchParams.get('error')).toBe('access_denied');
		await expect(completeOidcSignIn(ctxFor(t.db, null), { currentUrl: back, expected: flow, settings })).rejects.toMatchObject({ reason: 'denied' });
	});

	it('refuses a provider that shares no e-mail for a new member', async () => {
		op.accounts.set('no-mail', { sub: 'no-mail', name: 'Nobody' });
		const before = await counts();
		await expect(signInAs('no-mail')).rejects.toMatchObject({ reason: 'no_email' });
		expect(await counts()).toEqual(before);
	});

	it('says the provider is unavailable when discovery fails', async () => {
		const closed = { ...settings, issuer: 'http://127.0.0.1:9/' };
		await expect(startOidcSignIn({ redirectUri, settings: closed })).rejects.toMatchObject({ reason: 'unavailable' });
	});
});

describe('helpers', () => {
	it('derives valid handles from any name', () => {
		for (const name of ['Zoë.Q', 'a', '', '---', 'Ωμέγα', 'x'.repeat(80), 'first.last+tag', '李']) {
			expect(handleSchema.safeParse(handleFrom(name)).success, name).toBe(true);
		}
		expect(handleFrom('First.Last+tag')).toBe('first-last-tag');
	});

	it('allows plain http only on loopback', () => {
		expect(['localhost', '127.0.0.1', '127.1.2.3', '[::1]', 'app.localhost'].every(isLoopbackHost)).toBe(true);
		expect(['example.org', '10.0.0.1', '127.0.0.1.example.org', '[::2]'].some(isLoopbackHost)).toBe(false);
	});
});
