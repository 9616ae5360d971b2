import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptDatabase, stopRuntime } from '#lib/server/platform/runtime.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { apiRouteModules, callHandler, routeFileOf } from '#lib/server/testing/routes.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { Actor } from '#lib/server/platform/context.ts';
import { buildDeployment, buildNeed } from './needs.factories.ts';
import { operations } from '#lib/server/modules.ts';

/*
 * The JSON doors of acting on needs, called the way SvelteKit calls them: the same behaviour as the
 * commands, dates as ISO strings, errors in the one shape, and closed needs answering 404 to outsiders.
 */

let t: TestDatabase;
let chair: MemberRow;
let olga: MemberRow;
let outsider: MemberRow;
beforeAll(async () => {
	t = await createTestDatabase();
	adoptDatabase({ db: t.db, kind: t.kind, close: async () => {} });
	chair = await buildMember(t.db, { handle: 'api-chair' });
	olga = await buildMember(t.db, { handle: 'api-olga' });
	outsider = await buildMember(t.db, { handle: 'api-outsider' });
});
afterAll(async () => {
	await stopRuntime();
	await t?.close();
});

const actor = (m: MemberRow | null): Actor | null => (m ? toActor(m, 'token') : null);

async function call(method: string, path: string, who: MemberRow | null, body?: unknown) {
	const op = operations.find((o) => o.method === method && new RegExp(`^${o.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path));
	if (!op) throw new Error(`No operation for ${method} ${path}`);
	const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
	const values = path.split('/').filter((_, i) => op.path.split('/')[i]?.startsWith('{'));
	const params = Object.fromEntries(names.map((n, i) => [n, values[i]]));
	const handler = apiRouteModules[routeFileOf(op.path)][method];
	const response = await callHandler(handler, method, path, { actor: actor(who), params, body });
	return { status: response.status, json: response.status === 204 ? null : await response.json() };
}

describe('the needs actions API', () => {
	it('supports with evidence, follows, withdraws: the same as the page', async () => {
		const need = await buildNeed(t.db);
		const cloud = await buildDeployment(t.db, olga);
		const put = await call('PUT', `/needs/${need.id}/support`, olga, { deploymentId: cloud.id, impact: 'Upgrades stall.' });
		expect(put).toEqual({ status: 200, json: { needId: need.id, redirectedFrom: null, supportCount: 1, supporting: true, following: false } });
		expect((await call('PUT', `/needs/${need.id}/follow`, olga)).json).toMatchObject({ following: true });
		expect((await call('DELETE', `/needs/${need.id}/support`, olga)).json).toMatchObject({ supportCount: 0, supporting: false, following: true });
		expect((await call('DELETE', `/needs/${need.id}/follow`, olga)).json).toMatchObject({ following: false });
		const bad = await call('PUT', `/needs/${need.id}/support`, olga, { deploymentId: 'mine' });
		expect(bad).toMatchObject({ status: 400, json: { error: { code: 'invalid_input', fields: { deploymentId: expect.any(String) } } } });
		expect((await call('PUT', `/needs/${need.id}/support`, null, {})).status).toBe(401);
	});

	it('comments: add, edit, hide, delete, list', async () => {
		const group = await buildGroup(t.db, { chair });
		const need = await buildNeed(t.db, { group });
		const added = await call('POST', `/needs/${need.id}/comments`, olga, { body: 'We hit this *weekly*.' });
		expect(added).toMatchObject({
			status: 201,
			json: { body: 'We hit this *weekly*.', state: 'visible', createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }
		});
		const id = added.json.id;
		expect((await call('PATCH', `/needs/${need.id}/comments/${id}`, olga, { body: 'We hit this daily.' })).json).toMatchObject({
			body: 'We hit this daily.',
			editedAt: expect.any(String)
		});
		expect((await call('PATCH', `/needs/${need.id}/comments/${id}`, chair, { body: 'No.' })).status).toBe(403);
		expect((await call('POST', `/needs/${need.id}/comments/${id}/hide`, chair, { reason: 'Off topic.' })).json).toMatchObject({
			state: 'hidden',
			hiddenReason: 'Off topic.'
		});
		const listed = await call('GET', `/needs/${need.id}/comments`, null);
		expect(listed).toMatchObject({ status: 200, json: { comments: [{ id, state: 'hidden', body: null }], next: null } });
		expect((await call('DELETE', `/needs/${need.id}/comments/${id}`, olga)).json).toMatchObject({ state: 'deleted', body: null });
		// A comment id under another need's path is not found.
		const other = await buildNeed(t.db);
		expect((await call('DELETE', `/needs/${other.id}/comments/${id}`, chair)).status).toBe(404);
	});

	it('a moderator merges, the supporter is notified, the history shows it, and the undo restores the counts', async () => {
		const group = await buildGroup(t.db, { chair });
		const target = await buildNeed(t.db, { group, supporters: [chair] });
		const source = await buildNeed(t.db, { group, supporters: [olga] });
		expect((await call('POST', `/needs/${source.id}/merge`, olga, { targetId: target.id, reason: 'Same.' })).status).toBe(403);
		const bad = await call('POST', `/needs/${source.id}/merge`, chair, { targetId: 'x', reason: '' });
		expect(bad).toMatchObject({ status: 400, json: { error: { fields: { targetId: expect.any(String), reason: expect.any(String) } } } });
		const merged = await call('POST', `/needs/${source.id}/merge`, chair, { targetId: target.id, reason: 'Same bug.' });
		expect(merged).toMatchObject({
			status: 201,
			json: {
				merge: { sourceId: source.id, targetId: target.id, previousStatus: 'new', undoneAt: null },
				source: { status: 'duplicate', duplicateOfId: target.id },
				target: { supportCount: 2 },
				notified: 1
			}
		});
		const notes = await call('GET', '/me/notifications', olga);
		expect(notes.json.notifications[0]).toMatchObject({
			kind: 'need.merged',
			subjectId: target.id,
			data: { sourceId: source.id, targetId: target.id, title: target.title }
		});
		const history = await call('GET', `/needs/${target.id}/history`, null);
		expect(history.json.history).toEqual([expect.objectContaining({ action: 'merged_from', otherNeed: expect.objectContaining({ id: source.id }) })]);
		expect(history.json.merges).toEqual([expect.objectContaining({ id: merged.json.merge.id, undoable: false })]);
		const undone = await call('POST', `/merges/${merged.json.merge.id}/undo`, chair);
		expect(undone).toMatchObject({
			status: 200,
			json: { source: { status: 'new', duplicateOfId: null, supportCount: 1 }, target: { supportCount: 1 }, merge: { undoneAt: expect.any(String) } }
		});
		expect((await call('POST', `/merges/${merged.json.merge.id}/undo`, chair)).status).toBe(409);
	});

	it('status, split, hide, lock and publish answer with the need’s new state', async () => {
		const closed = await buildGroup(t.db, { visibility: 'closed', chair });
		const need = await buildNeed(t.db, { group: closed });
		expect((await call('POST', `/needs/${need.id}/status`, chair, { status: 'declined', reason: 'Too short' })).json).toMatchObject({
			error: { fields: { reason: expect.any(String) } }
		});
		expect((await call('POST', `/needs/${need.id}/status`, chair, { status: 'triaged', reason: 'Seen it twice.' })).json).toMatchObject({
			status: 'triaged',
			statusReason: 'Seen it twice.'
		});
		const split = await call('POST', `/needs/${need.id}/split`, chair, { title: 'The second problem in it', kind: 'bug', reason: 'Two in one.' });
		expect(split).toMatchObject({ status: 201, json: { created: { status: 'new', groupId: closed.id, publishedAt: null } } });
		expect((await call('POST', `/needs/${need.id}/lock`, chair, { reason: 'Calm down.' })).json.lockedAt).toEqual(expect.any(String));
		expect((await call('POST', `/needs/${need.id}/unlock`, chair, { reason: 'Calm again.' })).json.lockedAt).toBeNull();
		expect((await call('POST', `/needs/${need.id}/hide`, chair, { reason: 'Oops.' })).json.hiddenReason).toBe('Oops.');
		expect((await call('POST', `/needs/${need.id}/unhide`, chair, { reason: 'Fine.' })).json.hiddenAt).toBeNull();
		expect((await call('POST', `/needs/${need.id}/publish`, chair)).json.publishedAt).toEqual(expect.any(String));
	});

	it('triages several of a group’s needs at once for its chairs, and refuses everyone else', async () => {
		const closed = await buildGroup(t.db, { visibility: 'closed', chair });
		await addMembership(t.db, closed, olga);
		const needs = (await Promise.all([1, 2].map(() => buildNeed(t.db, { group: closed })))).sort((a, b) => a.id - b.id);
		const body = { action: 'accept', needIds: needs.map((n) => n.id), reason: 'Confirmed at the meetup.' };
		const path = `/groups/${closed.slug}/triage`;
		expect((await call('POST', path, null, body)).status).toBe(401);
		expect((await call('POST', path, olga, body)).status).toBe(403);
		expect((await call('POST', path, outsider, body)).status).toBe(404);
		expect((await call('POST', path, chair, { ...body, reason: 'Yes' })).json).toMatchObject({
			error: { code: 'invalid_input', fields: { reason: expect.any(String) } }
		});
		const done = await call('POST', path, chair, body);
		expect(done).toMatchObject({
			status: 200,
			json: {
				action: 'accept',
				changedIds: needs.map((n) => n.id),
				needs: needs.map((n) => ({ id: n.id, status: 'accepted', statusReason: 'Confirmed at the meetup.' }))
			}
		});
		const again = await call('POST', path, chair, body);
		expect(again).toMatchObject({ status: 409, json: { error: { code: 'conflict', fields: { [`need-${needs[0].id}`]: 'The need is already accepted.' } } } });
	});

	it('answers 404 to an outsider for every action on a closed group’s need, and tells them nothing', async () => {
		const closed = await buildGroup(t.db, { visibility: 'closed', chair });
		const insider = await buildMember(t.db);
		await addMembership(t.db, closed, insider);
		const need = await buildNeed(t.db, { group: closed, title: 'Secret need title', supporters: [insider] });
		const other = await buildNeed(t.db, { group: closed });
		const comment = await call('POST', `/needs/${need.id}/comments`, insider, { body: 'Inside words' });
		const merge = await call('POST', `/needs/${other.id}/merge`, chair, { targetId: need.id, reason: 'Same.' });
		const requests: [string, string, unknown?][] = [
			['GET', `/needs/${need.id}/history`],
			['GET', `/needs/${need.id}/comments`],
			['PUT', `/needs/${need.id}/support`, {}],
			['DELETE', `/needs/${need.id}/support`],
			['PUT', `/needs/${need.id}/follow`],
			['DELETE', `/needs/${need.id}/follow`],
			['POST', `/needs/${need.id}/comments`, { body: 'Hi' }],
			['PATCH', `/needs/${need.id}/comments/${comment.json.id}`, { body: 'Hi' }],
			['DELETE', `/needs/${need.id}/comments/${comment.json.id}`],
			['POST', `/needs/${need.id}/comments/${comment.json.id}/hide`, { reason: 'Because.' }],
			['POST', `/needs/${need.id}/status`, { status: 'triaged', reason: 'Because we looked.' }],
			['POST', `/needs/${need.id}/merge`, { targetId: other.id, reason: 'Because.' }],
			['POST', `/merges/${merge.json.merge.id}/undo`],
			['POST', `/needs/${need.id}/split`, { title: 'A need of my own making', kind: 'bug', reason: 'Because.' }],
			['POST', `/needs/${need.id}/hide`, { reason: 'Because.' }],
			['POST', `/needs/${need.id}/lock`, { reason: 'Because.' }],
			['POST', `/needs/${need.id}/publish`]
		];
		for (const [method, path, body] of requests) {
			const response = await call(method, path, outsider, body);
			expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
			expect(JSON.stringify(response.json)).not.toContain('Secret need title');
		}
		expect((await call('GET', `/needs/${need.id}/history`, null)).status).toBe(404);
		const mine = await call('GET', '/me/notifications', outsider);
		expect(mine.json).toEqual({ notifications: [], next: null });
		expect((await call('GET', '/me/notifications', null)).status).toBe(401);
	});
});
