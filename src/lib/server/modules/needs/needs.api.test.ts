import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RequestHandler } from '@sveltejs/kit';
import { adoptDatabase, stopRuntime } from '#lib/server/platform/runtime.ts';
import type { Actor } from '#lib/server/platform/context.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { apiRouteModules, callHandler, routeFileOf } from '#lib/server/testing/routes.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { operations } from '#lib/server/modules.ts';
import { openApiDocument } from '#lib/server/platform/http/openapi.ts';
import { buildComponent, buildNeed } from './needs.factories.ts';

/** The board's JSON API through its route handlers: the same shapes, filters and visibility as the pages. */
let t: TestDatabase;
let member: Actor;
let insider: Actor;
let admin: Actor;

beforeAll(async () => {
	t = await createTestDatabase();
	adoptDatabase({ db: t.db, kind: t.kind, close: async () => {} });
	member = toActor(await buildMember(t.db, { organization: 'ACME' }), 'token');
	insider = toActor(await buildMember(t.db), 'token');
	admin = toActor(await buildMember(t.db, { isAdmin: true }), 'token');
	await buildComponent(t.db, { slug: 'nova', name: 'Compute (Nova)' });
});
afterAll(async () => {
	await stopRuntime();
	await t?.close();
});

function handler(path: string, method: string): RequestHandler {
	const module = apiRouteModules[routeFileOf(path)];
	if (!module?.[method]) throw new Error(`no ${method} ${path}`);
	return module[method];
}

async function call(
	actor: Actor | null,
	method: string,
	route: string,
	options: { path?: string; params?: Record<string, string>; query?: Record<string, string>; body?: unknown } = {}
) {
	const response = await callHandler(handler(route, method), method, options.path ?? route, {
		actor,
		params: options.params,
		query: options.query,
		body: options.body
	});
	const text = await response.text();
	return { status: response.status, body: text ? JSON.parse(text) : null };
}

describe('the needs API', () => {
	it('files a need, reads it, edits it and lists it with keyset pages', async () => {
		const filed = await call(member, 'POST', '/needs', {
			body: { title: 'Nova scheduler ignores the NUMA topology', kind: 'bug', components: ['nova'], tags: 'numa' }
		});
		expect(filed.status).toBe(201);
		expect(filed.body).toMatchObject({
			title: 'Nova scheduler ignores the NUMA topology',
			status: 'new',
			counts: { supporters: 1, organizations: 1, deployments: 0 },
			components: [{ slug: 'nova' }],
			tags: ['numa'],
			viewer: { follows: true, supports: { deploymentId: null } },
			abilities: { edit: true, triage: false }
		});
		const id = String(filed.body.id);

		const read = await call(null, 'GET', '/needs/{id}', { path: `/needs/${id}`, params: { id } });
		expect(read.status).toBe(200);
		expect(read.body).toMatchObject({ id: filed.body.id, viewer: { supports: null, follows: false }, abilities: { edit: false, support: false } });

		const edited = await call(member, 'PATCH', '/needs/{id}', { path: `/needs/${id}`, params: { id }, body: { body: 'It places pinned instances anywhere.' } });
		expect(edited.status).toBe(200);
		expect(edited.body).toMatchObject({ title: 'Nova scheduler ignores the NUMA topology', body: 'It places pinned instances anywhere.', tags: ['numa'] });
		const refused = await call(insider, 'PATCH', '/needs/{id}', { path: `/needs/${id}`, params: { id }, body: { title: 'Taken over by someone else' } });
		expect(refused.status).toBe(403);
		const bad = await call(member, 'PATCH', '/needs/{id}', { path: `/needs/${id}`, params: { id }, body: { title: 'x' } });
		expect(bad).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', fields: { title: expect.any(String) } } } });

		for (let i = 0; i < 4; i++) await buildNeed(t.db, { title: `API paging need ${i}` });
		const seen: number[] = [];
		let cursor: string | null = '';
		while (cursor !== null) {
			const page: { status: number; body: { needs: { id: number }[]; nextCursor: string | null } } = await call(null, 'GET', '/needs', {
				query: { sort: 'new', limit: '2', ...(cursor ? { cursor } : {}) }
			});
			expect(page.status).toBe(200);
			seen.push(...page.body.needs.map((n) => n.id));
			cursor = page.body.nextCursor;
		}
		expect(seen).toHaveLength(5);
		expect(new Set(seen).size).toBe(5);
		expect((await call(null, 'GET', '/needs', { query: { sort: 'sideways' } })).status).toBe(400);
	});

	it('keeps a closed group’s need from outsiders: list, search, similar and by id', async () => {
		const chair = await buildMember(t.db);
		const group = await buildGroup(t.db, { visibility: 'closed', chair });
		await addMembership(t.db, group, { id: insider.memberId });
		const secret = await buildNeed(t.db, { group, title: 'Quarantined cinder backups leak volumes' });
		const id = String(secret.id);
		const visible = async (actor: Actor | null) => ({
			list: (await call(actor, 'GET', '/needs', { query: { q: 'quarantined' } })).body.needs.length > 0,
			similar: (await call(actor, 'GET', '/needs/similar', { query: { title: 'Quarantined cinder backup leaks' } })).body.needs.length > 0,
			byId: (await call(actor, 'GET', '/needs/{id}', { path: `/needs/${id}`, params: { id } })).status === 200
		});
		expect(await visible(null)).toEqual({ list: false, similar: false, byId: false });
		expect(await visible(member)).toEqual({ list: false, similar: false, byId: false });
		expect(await visible(insider)).toEqual({ list: true, similar: true, byId: true });
		expect(await visible(admin)).toEqual({ list: true, similar: true, byId: true });
		// Filing into it is for its members.
		const refused = await call(member, 'POST', '/needs', { body: { title: 'Outsider filing into a closed group', kind: 'bug', groupId: group.id } });
		expect(refused).toMatchObject({ status: 403, body: { error: { fields: { groupId: expect.any(String) } } } });
	});

	it('searches by part of a word and by near spelling, pages by relevance, and says how in the OpenAPI document', async () => {
		const cluster = await buildNeed(t.db, { title: 'RabbitMQ cluster partitions after a network blip' });
		const quorum = await buildNeed(t.db, { title: 'Quorum queues for RabbitMQ', body: 'Classic mirrored queues are going away.' });
		const mention = await buildNeed(t.db, { title: 'Heartbeats are missed', body: 'Only while RabbitMQ is under load.' });
		const found = async (query: Record<string, string>) => {
			const ids: number[] = [];
			let cursor = '';
			do {
				const page = await call(null, 'GET', '/needs', { query: { ...query, limit: '1', ...(cursor ? { cursor } : {}) } });
				expect(page.status).toBe(200);
				ids.push(...page.body.needs.map((n: { id: number }) => n.id));
				cursor = page.body.nextCursor ?? '';
			} while (cursor);
			return ids;
		};
		// Titles first (the newer of two equal matches first), the description last.
		expect(await found({ q: 'rabbit' })).toEqual([quorum.id, cluster.id, mention.id]);
		expect(await found({ q: 'rabbtmq', sort: 'relevance' })).toEqual([quorum.id, cluster.id]);
		const similar = await call(null, 'GET', '/needs/similar', { query: { title: 'rabbit' } });
		expect(similar.body.needs.map((n: { id: number }) => n.id).sort()).toEqual([cluster.id, quorum.id].sort());

		const document = openApiDocument(operations, { title: 'Caucus API', version: '1', serverUrl: 'http://localhost/api/v1' });
		const parameters = (document.paths['/needs'].get as { parameters: { name: string; description?: string; schema: unknown }[] }).parameters;
		expect(JSON.stringify(parameters.find((p) => p.name === 'sort'))).toContain('relevance');
		expect(parameters.find((p) => p.name === 'sort')?.description).toMatch(/relevance \(the default with q\): best match first/);
		expect(parameters.find((p) => p.name === 'q')?.description).toMatch(/near spelling/);
	});

	it('lists components for everyone and lets administrators add and change them', async () => {
		expect((await call(null, 'GET', '/components')).body.components.map((c: { slug: string }) => c.slug)).toContain('nova');
		expect((await call(member, 'POST', '/components', { body: { slug: 'swift', name: 'Object storage (Swift)' } })).status).toBe(403);
		const created = await call(admin, 'POST', '/components', { body: { slug: 'swift', name: 'Object storage (Swift)' } });
		expect(created).toMatchObject({ status: 201, body: { slug: 'swift', name: 'Object storage (Swift)', description: '' } });
		const id = String(created.body.id);
		const changed = await call(admin, 'PATCH', '/components/{id}', { path: `/components/${id}`, params: { id }, body: { description: 'Objects.' } });
		expect(changed).toMatchObject({ status: 200, body: { slug: 'swift', description: 'Objects.' } });
		expect((await call(admin, 'POST', '/components', { body: { slug: 'swift', name: 'Again' } })).status).toBe(409);
	});
});
