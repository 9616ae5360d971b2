import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '#lib/server/platform/context.ts';
import { adoptDatabase, stopRuntime } from '#lib/server/platform/runtime.ts';
import { log } from '#lib/server/platform/log.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import * as adminMembers from '../../(admin)/admin/members/+page.server.ts';
import * as resetPage from './[token]/+page.server.ts';

/** Issue 9: an administrator issues a one-time reset link on /admin/members; the member uses it on /reset/<token>. */
let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
	adoptDatabase({ db: t.db, kind: t.kind, close: async () => {} });
});
afterAll(async () => {
	await stopRuntime();
	await t?.close();
});

function event(target: string, options: { params?: Record<string, string>; fields?: Record<string, string>; actor?: Actor | null } = {}) {
	const url = new URL(target, 'http://caucus.test');
	const headers: Record<string, string> = {};
	return {
		event: {
			url,
			params: options.params ?? {},
			request: options.fields ? new Request(url, { method: 'POST', body: new URLSearchParams(options.fields) }) : new Request(url),
			locals: { actor: options.actor ?? null, requestId: 'test', log, sessionToken: null },
			route: { id: null },
			setHeaders: (set: Record<string, string>) => Object.assign(headers, set),
			cookies: { get: () => undefined, getAll: () => [], set() {}, delete() {}, serialize: () => '' },
			getClientAddress: () => '192.0.2.9',
			fetch,
			isDataRequest: false,
			isSubRequest: false
		} as never,
		headers
	};
}

describe('a password reset link from /admin/members to /reset/<token>', () => {
	it('is shown to the administrator once, and sets the member’s password once', async () => {
		const root = toActor(await buildMember(t.db, { handle: 'page-root', isAdmin: true }), 'session');
		const ana = await buildMember(t.db, { handle: 'page-ana' });

		const issued = (await adminMembers.actions.resetLink(event('/admin/members?/resetLink', { fields: { handle: 'page-ana' }, actor: root }).event)) as {
			resetLink: { handle: string; url: string };
		};
		expect(issued.resetLink.handle).toBe('page-ana');
		expect(issued.resetLink.url).toMatch(/^http:\/\/caucus\.test\/reset\/rst_[A-Za-z0-9_-]{43}$/);
		const token = issued.resetLink.url.split('/reset/')[1];

		const page = event(`/reset/${token}`, { params: { token } });
		expect(await resetPage.load(page.event)).toMatchObject({ valid: true, handle: 'page-ana' });
		expect(page.headers['cache-control']).toMatch(/no-store/);

		const short = (await resetPage.actions.default(event(`/reset/${token}`, { params: { token }, fields: { password: 'short' } }).event)) as {
			status: number;
			data: { fields: Record<string, string> };
		};
		expect(short.status).toBe(400);
		expect(short.data.fields.password).toMatch(/at least 10/);

		expect(await resetPage.actions.default(event(`/reset/${token}`, { params: { token }, fields: { password: 'page ana new password' } }).event)).toEqual({
			done: true,
			handle: 'page-ana'
		});
		const row = await t.db.selectFrom('member').select('password_hash').where('id', '=', ana.id).executeTakeFirstOrThrow();
		expect(row.password_hash).not.toBe(ana.password_hash);

		const reused = (await resetPage.actions.default(event(`/reset/${token}`, { params: { token }, fields: { password: 'yet another password' } }).event)) as {
			status: number;
			data: { message: string };
		};
		expect(reused.status).toBe(409);
		expect(reused.data.message).toMatch(/already been used/);
		expect(await resetPage.load(event(`/reset/${token}`, { params: { token } }).event)).toMatchObject({
			valid: false,
			problem: expect.stringMatching(/already been used/)
		});
	});

	it('a wrong token gets a clear message, not a form', async () => {
		expect(await resetPage.load(event('/reset/rst_wrong', { params: { token: 'rst_wrong' } }).event)).toEqual({
			valid: false,
			problem: expect.stringMatching(/not valid\. Check that you copied the whole link/)
		});
	});

	it('a member who is not an administrator cannot issue one', async () => {
		const ed = toActor(await buildMember(t.db, { handle: 'page-ed' }), 'session');
		const refused = (await adminMembers.actions.resetLink(event('/admin/members?/resetLink', { fields: { handle: 'page-root' }, actor: ed }).event)) as {
			status: number;
		};
		expect(refused.status).toBe(403);
	});
});
