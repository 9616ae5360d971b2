import { isRedirect } from '@sveltejs/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptDatabase, stopRuntime } from '#lib/server/platform/runtime.ts';
import { log } from '#lib/server/platform/log.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { buildMember, FACTORY_PASSWORD } from '#lib/server/modules/members/members.factories.ts';
import * as signin from './+page.server.ts';
import * as signup from '../signup/+page.server.ts';

/**
 * Issue 9: finding 2, the sign-in limit holds for simultaneous POST /signin; finding 5, an odd `next`
 * sends the new session home instead of ending in a 500 after the cookie is set.
 */
let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
	adoptDatabase({ db: t.db, kind: t.kind, close: async () => {} });
	// The web takes sign-ups only once the site has its administrator.
	await buildMember(t.db, { isAdmin: true });
});
afterAll(async () => {
	await stopRuntime();
	await t?.close();
});

/** A form POST the way SvelteKit hands it to an action; `cookies.set` calls are kept. */
function post(target: string, fields: Record<string, string>, address: string) {
	const url = new URL(target, 'http://caucus.test');
	const set: string[] = [];
	const event = {
		url,
		params: {},
		request: new Request(url, { method: 'POST', body: new URLSearchParams(fields) }),
		locals: { actor: null, requestId: 'test', log, sessionToken: null },
		route: { id: null },
		setHeaders() {},
		cookies: { get: () => undefined, getAll: () => [], set: (name: string) => set.push(name), delete() {}, serialize: () => '' },
		getClientAddress: () => address,
		fetch,
		isDataRequest: false,
		isSubRequest: false
	} as never;
	return { event, set };
}

/** Runs an action: a redirect's status and location, or the failure's status and data. */
async function outcome(run: () => unknown): Promise<{ status: number; location?: string; data?: { message?: string } }> {
	try {
		const result = (await run()) as { status: number; data: { message?: string } } | undefined;
		return { status: result?.status ?? 200, data: result?.data };
	} catch (thrown) {
		if (isRedirect(thrown)) return { status: thrown.status, location: thrown.location };
		throw thrown;
	}
}

describe('POST /signin', () => {
	it.each(['/%09/evil.com', '/%0a/evil.com', '/%0d%0a/evil.com', '/%5Cevil.com', '//evil.com', '/.//evil.com', 'https://evil.com'])(
		'with next=%s signs in and goes home',
		async (next) => {
			const member = await buildMember(t.db);
			const { event, set } = post(`/signin?next=${next}`, { email: member.email, password: FACTORY_PASSWORD }, '192.0.2.1');
			expect(await outcome(() => signin.actions.default(event))).toEqual({ status: 303, location: '/' });
			expect(set).toEqual(['caucus_session']);
		}
	);

	it('keeps a plain next path', async () => {
		const member = await buildMember(t.db);
		const { event } = post('/signin?next=%2Fneeds%3Fq%3Dnova', { email: member.email, password: FACTORY_PASSWORD }, '192.0.2.1');
		expect(await outcome(() => signin.actions.default(event))).toEqual({ status: 303, location: '/needs?q=nova' });
	});

	it('40 simultaneous wrong passwords for one account: 5 are checked (400), 35 refused (429) with the way out', async () => {
		const member = await buildMember(t.db);
		const results = await Promise.all(
			Array.from({ length: 40 }, (_, i) =>
				outcome(() => signin.actions.default(post('/signin', { email: member.email, password: `wrong ${i}` }, `198.51.100.${i}`).event))
			)
		);
		const statuses = results.map((r) => r.status).sort();
		expect(statuses.filter((s) => s === 400)).toHaveLength(5);
		expect(statuses.filter((s) => s === 429)).toHaveLength(35);
		expect(results.find((r) => r.status === 429)!.data!.message).toMatch(/ask an administrator for a reset link/);
	});
});

describe('POST /signup', () => {
	it('with an odd next goes to the profile, not to a 500', async () => {
		const { event, set } = post(
			'/signup?next=/%09/evil.com',
			{ email: 'odd-next@example.org', handle: 'odd-next', displayName: 'Odd', password: 'a long password' },
			'192.0.2.50'
		);
		expect(await outcome(() => signup.actions.default(event))).toEqual({ status: 303, location: '/settings/profile?welcome=1' });
		expect(set).toEqual(['caucus_session']);
	});

	it('throttles accounts made from one address: 30 at once make 5', async () => {
		const results = await Promise.all(
			Array.from({ length: 30 }, (_, i) =>
				outcome(() =>
					signup.actions.default(
						post('/signup', { email: `burst${i}@example.org`, handle: `burst${i}`, displayName: 'Burst', password: 'a long password' }, '203.0.113.66').event
					)
				)
			)
		);
		expect(results.filter((r) => r.status === 303)).toHaveLength(5);
		expect(results.filter((r) => r.status === 429)).toHaveLength(25);
	});
});
