import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptDatabase, stopRuntime } from '#lib/server/platform/runtime.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { apiRouteModules, callHandler, routeFileOf } from '#lib/server/testing/routes.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { championsOperations } from './champions.api.ts';

/* The JSON doors of champions and accountability, called the way SvelteKit calls them. */

let t: TestDatabase;
let chair: MemberRow;
let olga: MemberRow;
let outsider: MemberRow;
beforeAll(async () => {
	t = await createTestDatabase();
	adoptDatabase({ db: t.db, kind: t.kind, close: async () => {} });
	chair = await buildMember(t.db, { handle: 'champ-chair' });
	olga = await buildMember(t.db, { handle: 'champ-olga' });
	outsider = await buildMember(t.db, { handle: 'champ-outsider' });
});
afterAll(async () => {
	await stopRuntime();
	await t?.close();
});

async function call(method: string, path: string, who: MemberRow | null, options: { body?: unknown; query?: Record<string, string> } = {}) {
	const [bare] = path.split('?');
	const op = championsOperations.find((o) => o.method === method && new RegExp(`^${o.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(bare));
	if (!op) throw new Error(`No operation for ${method} ${path}`);
	const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
	const values = bare.split('/').filter((_, i) => op.path.split('/')[i]?.startsWith('{'));
	const params = Object.fromEntries(names.map((n, i) => [n, values[i]]));
	const handler = apiRouteModules[routeFileOf(op.path)][method];
	const response = await callHandler(handler, method, bare, { actor: who ? toActor(who, 'token') : null, params, body: options.body, query: options.query });
	return { status: response.status, json: await response.json() };
}

describe('the champions API', () => {
	it('volunteers, links a change, updates its state and withdraws, the same as the page', async () => {
		const group = await buildGroup(t.db, { chair });
		const need = await buildNeed(t.db, { group, status: 'accepted', title: 'Cells v2 needs a dry-run for archive' });
		expect((await call('GET', '/champions', null, { query: { group: group.slug } })).json.needs.map((n: { id: number }) => n.id)).toEqual([need.id]);

		const put = await call('PUT', `/champions/needs/${need.id}/me`, olga, { body: { role: 'champion', note: 'I will write the spec.' } });
		expect(put.status).toBe(200);
		expect(put.json).toMatchObject({
			champions: [{ member: { handle: 'champ-olga' }, role: 'champion', note: 'I will write the spec.' }],
			viewer: { role: 'champion' },
			abilities: { withdraw: true, linkChanges: true }
		});
		expect((await call('GET', '/champions', null, { query: { group: group.slug } })).json.needs).toEqual([]);

		const linked = await call('POST', `/champions/needs/${need.id}/changes`, olga, { body: { url: 'https://github.com/openstack/nova/pull/12' } });
		expect(linked).toMatchObject({ status: 201, json: { forge: 'github', label: 'PR #12', state: 'open', addedBy: { handle: 'champ-olga' } } });
		const patched = await call('PATCH', `/champions/changes/${linked.json.id}`, olga, { body: { state: 'merged' } });
		expect(patched).toMatchObject({ status: 200, json: { state: 'merged' } });
		const refused = await call('POST', `/champions/needs/${need.id}/changes`, olga, { body: { url: 'https://example.org/x' } });
		expect(refused).toMatchObject({ status: 400, json: { error: { code: 'invalid_input', fields: { url: expect.any(String) } } } });
		expect((await call('PATCH', `/champions/changes/${linked.json.id}`, outsider, { body: { state: 'open' } })).status).toBe(403);
		expect((await call('PUT', `/champions/needs/${need.id}/me`, null, { body: { role: 'champion' } })).status).toBe(401);

		const removed = await call('POST', `/champions/needs/${need.id}/members/champ-olga/remove`, chair, { body: { reason: 'Asked to step down.' } });
		expect(removed).toMatchObject({ status: 200, json: { champions: [] } });
		expect((await call('DELETE', `/champions/needs/${need.id}/me`, olga)).status).toBe(409);
	});

	it('asks a member to champion a need, who accepts or declines; the moderators withdraw, the same as the page', async () => {
		const group = await buildGroup(t.db, { chair });
		const need = await buildNeed(t.db, { group, status: 'accepted', title: 'Quota sync drifts under load' });

		const asked = await call('POST', `/champions/needs/${need.id}/invitations`, chair, { body: { handle: '@champ-olga', note: 'You found it.' } });
		expect(asked).toMatchObject({
			status: 201,
			json: {
				needId: need.id,
				member: { handle: 'champ-olga' },
				role: 'champion',
				note: 'You found it.',
				invitedBy: { handle: 'champ-chair' },
				state: 'pending',
				answeredAt: null
			}
		});
		expect((await call('GET', `/champions/needs/${need.id}`, olga)).json).toMatchObject({
			invitation: { id: asked.json.id, role: 'champion', mayAccept: true },
			invitations: [],
			abilities: { invite: false }
		});
		expect((await call('GET', `/champions/needs/${need.id}`, chair)).json).toMatchObject({
			invitation: null,
			invitations: [{ member: { handle: 'champ-olga' }, state: 'pending' }],
			abilities: { invite: true }
		});
		expect((await call('POST', `/champions/needs/${need.id}/invitations`, outsider, { body: { handle: 'champ-olga' } })).status).toBe(403);
		expect((await call('POST', `/champions/needs/${need.id}/invitations`, chair, { body: { handle: 'champ-olga' } })).status).toBe(409);
		const nobody = await call('POST', `/champions/needs/${need.id}/invitations`, chair, { body: { handle: 'nobody-here' } });
		expect(nobody).toMatchObject({ status: 400, json: { error: { code: 'invalid_input', fields: { handle: 'No member has that handle.' } } } });

		const accepted = await call('POST', `/champions/needs/${need.id}/me/invitation/accept`, olga, { body: { note: 'On it.' } });
		expect(accepted).toMatchObject({ status: 200, json: { champions: [{ member: { handle: 'champ-olga' }, note: 'On it.' }], invitation: null } });
		expect((await call('POST', `/champions/needs/${need.id}/me/invitation/decline`, olga)).status).toBe(409);

		await call('POST', `/champions/needs/${need.id}/invitations`, chair, { body: { handle: 'champ-outsider', role: 'sponsor' } });
		const declined = await call('POST', `/champions/needs/${need.id}/me/invitation/decline`, outsider);
		expect(declined).toMatchObject({ status: 200, json: { invitation: null, sponsors: [] } });
		expect((await call('GET', `/champions/needs/${need.id}`, chair)).json.invitations).toMatchObject([
			{ member: { handle: 'champ-outsider' }, state: 'declined' }
		]);

		await call('POST', `/champions/needs/${need.id}/invitations`, chair, { body: { handle: 'champ-outsider' } });
		expect((await call('DELETE', `/champions/needs/${need.id}/invitations/champ-outsider`, olga)).status).toBe(403);
		const withdrawn = await call('DELETE', `/champions/needs/${need.id}/invitations/champ-outsider`, chair);
		expect(withdrawn).toMatchObject({ status: 200, json: { member: { handle: 'champ-outsider' }, state: 'withdrawn' } });
		expect((await call('DELETE', `/champions/needs/${need.id}/invitations/champ-outsider`, chair)).status).toBe(404);
	});

	it('refuses to ask an outsider to champion a closed group’s need, as a field error, and hides the need from outsiders', async () => {
		const closed = await buildGroup(t.db, { chair, visibility: 'closed' });
		const need = await buildNeed(t.db, { group: closed, status: 'accepted' });
		const refused = await call('POST', `/champions/needs/${need.id}/invitations`, chair, { body: { handle: 'champ-outsider' } });
		expect(refused).toMatchObject({ status: 400, json: { error: { code: 'invalid_input', fields: { handle: expect.stringContaining('not one') } } } });
		expect((await call('POST', `/champions/needs/${need.id}/invitations`, outsider, { body: { handle: 'champ-chair' } })).status).toBe(404);
		expect((await call('POST', `/champions/needs/${need.id}/me/invitation/accept`, outsider, { body: {} })).status).toBe(404);
	});

	it('answers 404 for a closed group’s need to outsiders, and leaves it out of every count', async () => {
		const closed = await buildGroup(t.db, { chair, visibility: 'closed' });
		await addMembership(t.db, closed, olga);
		const need = await buildNeed(t.db, { group: closed, status: 'accepted' });
		await t.db.insertInto('cycle').values({ slug: '2026.2', name: '2026.2', starts_on: '2026-07-01', ends_on: '2026-12-31', created_at: new Date() }).execute();
		await t.db
			.insertInto('need_status_change')
			.values({ need_id: need.id, from_status: 'new', to_status: 'accepted', reason: 'Yes.', actor_id: chair.id, at: new Date('2026-11-20T00:00:00Z') })
			.execute();

		expect((await call('GET', `/champions/needs/${need.id}`, outsider)).status).toBe(404);
		expect((await call('PUT', `/champions/needs/${need.id}/me`, outsider, { body: { role: 'sponsor' } })).status).toBe(404);
		expect((await call('GET', `/champions/needs/${need.id}`, olga)).status).toBe(200);

		const query = { cycle: '2026.2', group: closed.slug };
		expect((await call('GET', '/accountability', outsider, { query })).json.totals).toMatchObject({ inScope: 0, byState: { accepted: 0 } });
		expect((await call('GET', '/accountability/needs', outsider, { query: { ...query, metric: 'state_accepted' } })).json.needs).toEqual([]);
		expect((await call('GET', '/accountability', olga, { query })).json).toMatchObject({
			scope: { cycle: { slug: '2026.2' }, group: { slug: closed.slug } },
			totals: { inScope: 1, byState: { accepted: 1 } }
		});
		expect(
			(await call('GET', '/accountability/needs', olga, { query: { ...query, metric: 'state_accepted' } })).json.needs.map((n: { id: number }) => n.id)
		).toEqual([need.id]);
		expect((await call('GET', '/accountability', olga, { query: { cycle: 'nope' } })).json.error.fields).toHaveProperty('cycle');
	});
});
