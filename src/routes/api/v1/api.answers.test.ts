import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { isRedirect } from '@sveltejs/kit';
import { z } from 'zod';
import { operations } from '#lib/server/modules.ts';
import { adoptDatabase, stopRuntime } from '#lib/server/platform/runtime.ts';
import type { Actor } from '#lib/server/platform/context.ts';
import { fieldErrorsOf } from '#lib/server/platform/errors.ts';
import { openApiDocument } from '#lib/server/platform/http/openapi.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { apiRouteModules, callHandler, requestThroughHook, routeFileOf } from '#lib/server/testing/routes.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { BOARD_SORTS } from '#lib/server/modules/needs/needs.queries.ts';
import { handle } from '../../../hooks.server.ts';
import { actions as needPageActions } from '../../(public)/needs/[id=id]/+page.server.ts';

/*
 * Issue 11 (defects 7 and 12): every answer under /api is the API's JSON error shape, with a message that
 * names the field, what was expected and the allowed values; and a field the API does not take is refused
 * by name, where a form may still post its extra hidden fields.
 */

// Tokens and sessions are the members module's business (tested there); here a token or cookie simply names an actor.
const auth = vi.hoisted(() => ({ tokens: new Map<string, unknown>(), sessions: new Map<string, unknown>() }));
vi.mock('#lib/server/modules/members/index.ts', async (importOriginal) => ({
	...(await importOriginal<object>()),
	actorForToken: async (_db: unknown, token: string) => auth.tokens.get(token) ?? null,
	actorForSession: async (_db: unknown, cookie: string) => auth.sessions.get(cookie) ?? null
}));

let t: TestDatabase;
let member: Actor;
let needId: string;
const ORIGIN = 'http://caucus.test';

beforeAll(async () => {
	t = await createTestDatabase();
	adoptDatabase({ db: t.db, kind: t.kind, close: async () => {} });
	// A site with its administrator: before that, every door but /setup is closed.
	await buildMember(t.db, { handle: 'answers-admin', isAdmin: true });
	const row = await buildMember(t.db, { handle: 'answers-member' });
	member = toActor(row, 'token');
	auth.tokens.set('cau_member', member);
	auth.sessions.set('member-session', toActor(row, 'session'));
	needId = String((await buildNeed(t.db, { title: 'Live migration drops the NUMA pinning' })).id);
});
afterAll(async () => {
	await stopRuntime();
	await t?.close();
});

async function call(
	method: string,
	route: string,
	options: { path?: string; params?: Record<string, string>; query?: Record<string, string>; body?: unknown; contentType?: string } = {}
) {
	const handler = apiRouteModules[routeFileOf(route)]?.[method];
	if (!handler) throw new Error(`no ${method} ${route}`);
	const response = await callHandler(handler, method, options.path ?? route, { actor: member, ...options });
	return { status: response.status, headers: response.headers, body: await response.json() };
}

async function viaHook(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
	const response = await requestThroughHook(handle, { method, path, headers, body });
	const text = await response.text();
	return { status: response.status, headers: response.headers, text, json: () => JSON.parse(text) };
}

describe('unknown paths and methods under /api answer in JSON', () => {
	it('answers 404 in the error shape for a path no operation has, whatever the method', async () => {
		for (const path of ['/api/v1/nope', '/api/v1', '/api', '/api/v2/needs', `/api/v1/needs/${needId}/nope`, '/api/v1/needs/1/comments/2/3/4']) {
			for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
				const answer = await viaHook(method, path, { authorization: 'Bearer cau_member', 'content-type': 'application/json' }, '{}');
				expect(answer.status, `${method} ${path}`).toBe(404);
				expect(answer.headers.get('content-type')).toContain('application/json');
				expect(answer.json(), `${method} ${path}`).toMatchObject({ error: { code: 'not_found', fields: {} } });
				expect(answer.json().error.message).toContain('/api/v1/openapi.json');
			}
		}
	});

	it('answers 405 in the error shape with an Allow header for a method the path does not take', async () => {
		const answer = await viaHook('DELETE', '/api/v1/needs', { authorization: 'Bearer cau_member' });
		expect(answer.status).toBe(405);
		expect(answer.headers.get('allow')).toBe('GET, POST, HEAD');
		expect(answer.json()).toEqual({
			error: { code: 'method_not_allowed', message: 'DELETE is not allowed on /api/v1/needs; it takes GET, POST and HEAD.', fields: {} }
		});
		const options = await viaHook('OPTIONS', `/api/v1/needs/${needId}`);
		expect(options.status).toBe(405);
		expect(options.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
	});

	it('keeps the answers of known paths as they are', async () => {
		const board = await viaHook('GET', '/api/v1/needs');
		expect(board.status).toBe(200);
		expect(board.json()).toMatchObject({ needs: expect.any(Array) });
		const missing = await viaHook('GET', '/api/v1/needs/999999');
		expect(missing.status).toBe(404);
		expect(missing.json()).toMatchObject({ error: { code: 'not_found', message: 'The need was not found.' } });
	});
});

describe('bodies that are not JSON', () => {
	const form = 'title=Filed+as+a+form&body=From+curl&kind=bug';

	it('answers a bearer-token request with a form or text body 415, naming application/json', async () => {
		for (const type of ['application/x-www-form-urlencoded', 'text/plain', 'multipart/form-data; boundary=x']) {
			for (const headers of [{}, { origin: 'http://elsewhere.example' }, { origin: ORIGIN }] as Record<string, string>[]) {
				const answer = await viaHook('POST', '/api/v1/needs', { authorization: 'Bearer cau_member', 'content-type': type, ...headers }, form);
				expect(answer.status, `${type} ${JSON.stringify(headers)}: ${answer.text}`).toBe(415);
				expect(answer.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
				expect(answer.json().error.message).toContain('application/json');
			}
		}
		const direct = await call('POST', '/needs', { body: form, contentType: 'application/x-www-form-urlencoded' });
		expect(direct).toMatchObject({
			status: 415,
			body: { error: { code: 'unsupported_media_type', fields: { _: expect.stringContaining('application/json') } } }
		});
	});

	it('still refuses cookie-authenticated form posts from another site, in JSON', async () => {
		const crossSite: Record<string, string>[] = [
			{ origin: 'http://evil.example' },
			{ origin: 'null' },
			{}, // a form post that does not say where it comes from
			{ 'sec-fetch-site': 'cross-site' }
		];
		for (const headers of crossSite) {
			const answer = await viaHook(
				'POST',
				'/api/v1/needs',
				{ cookie: 'caucus_session=member-session', 'content-type': 'application/x-www-form-urlencoded', ...headers },
				form
			);
			expect(answer.status, JSON.stringify(headers)).toBe(403);
			expect(answer.json()).toMatchObject({ error: { code: 'forbidden', fields: {} } });
		}
		// From the site itself, the form body is what is wrong.
		const own = await viaHook('POST', '/api/v1/needs', { cookie: 'caucus_session=member-session', 'content-type': 'text/plain', origin: ORIGIN }, form);
		expect(own.status).toBe(415);
		expect(await t.db.selectFrom('need').select('id').where('title', '=', 'Filed as a form').execute()).toEqual([]);
	});

	it("keeps SvelteKit's CSRF check for pages: a form post from another site is refused in its words", async () => {
		const page = await viaHook('POST', '/needs/new', { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' }, form);
		expect(page).toMatchObject({ status: 403, text: 'Cross-site POST form submissions are forbidden' });
		const noOrigin = await viaHook('POST', '/needs/new?/file', { 'content-type': 'multipart/form-data; boundary=x' }, '');
		expect(noOrigin.status).toBe(403);
		const asJson = await viaHook('POST', '/needs/new', { 'content-type': 'text/plain', accept: 'application/json', origin: 'null' }, form);
		expect(asJson).toMatchObject({ status: 403 });
		expect(asJson.json()).toEqual({ message: 'Cross-site POST form submissions are forbidden' });
		// The site's own forms, and requests that are not forms, go on to the page.
		expect((await viaHook('POST', '/needs/new', { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN }, form)).status).not.toBe(403);
		expect((await viaHook('POST', '/needs/new', { 'content-type': 'application/json', origin: 'http://evil.example' }, '{}')).status).not.toBe(403);
	});
});

describe('messages name the field, what was expected and the allowed values', () => {
	it('says a title sent as a number must be text, instead of asking for one', async () => {
		const answer = await call('POST', '/needs', { body: { title: 123, body: 'A body long enough to be a description.', kind: 'bug' } });
		expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_input', fields: { title: 'Title must be text.' } } } });
		expect(answer.body.error.message).toBe('title: Title must be text.');
		const missing = await call('POST', '/needs', { body: { body: 'A body long enough to be a description.', kind: 'bug' } });
		expect(missing.body.error.fields).toEqual({ title: 'Title is required.' });
	});

	it('lists the sorts when the sort is not one of them', async () => {
		const answer = await call('GET', '/needs', { query: { sort: 'weird' } });
		expect(answer.status).toBe(400);
		const message = answer.body.error.fields['query.sort'];
		for (const sort of BOARD_SORTS) expect(message).toContain(sort);
		expect(answer.body.error.message).toBe(`query.sort: ${message}`);
		expect(message).toMatch(/^Sort is one of /);
	});

	type Json = { enum?: unknown[]; anyOf?: Json[]; const?: unknown; items?: Json; properties?: Record<string, Json> };
	const choicesOf = (json: Json): unknown[] =>
		json.enum ??
		json.anyOf?.flatMap((option) => (option.const !== undefined ? [option.const] : choicesOf(option))) ??
		(json.items ? choicesOf(json.items) : []);

	it('lists the allowed values of every choice in every operation', () => {
		let checked = 0;
		for (const op of operations) {
			for (const part of ['params', 'query', 'body'] as const) {
				const schema = op[part];
				if (!schema) continue;
				const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
				for (const [field, property] of Object.entries(json.properties ?? {})) {
					const allowed = choicesOf(property).filter((v) => v !== '' && v !== null);
					if (!allowed.length) continue;
					const result = schema.safeParse({ [field]: property.items ? ['not-a-choice'] : 'not-a-choice' });
					expect(result.success, `${op.id} ${part}.${field}`).toBe(false);
					const fields = result.success ? {} : fieldErrorsOf(result.error);
					const message = fields[field] ?? Object.entries(fields).find(([key]) => key.startsWith(`${field}.`))?.[1] ?? '';
					for (const value of allowed) expect(message, `${op.id} ${part}.${field}`).toContain(String(value));
					checked++;
				}
			}
		}
		expect(checked).toBeGreaterThan(20);
	});
});

describe('fields the API does not take', () => {
	const supportPath = () => ({ path: `/needs/${needId}/support`, params: { id: needId } });

	it('refuses an unknown body field by name, listing the fields there are', async () => {
		const typo = await call('PUT', '/needs/{id}/support', { ...supportPath(), body: { impakt: 'typo' } });
		expect(typo.status).toBe(400);
		expect(typo.body.error.fields).toEqual({ impakt: 'Unknown field; the body takes deploymentId and impact.' });
		expect(typo.body.error.message).toBe('impakt: Unknown field; the body takes deploymentId and impact.');
		expect(await t.db.selectFrom('support').select('member_id').where('need_id', '=', Number(needId)).execute()).toEqual([]);
		const right = await call('PUT', '/needs/{id}/support', { ...supportPath(), body: { impact: 'We run 40 nodes.' } });
		expect(right.status).toBe(200);
	});

	it('refuses unknown query parameters, and a body an operation does not take', async () => {
		const query = await call('GET', '/needs', { query: { sort: 'new', sortt: 'new' } });
		expect(query).toMatchObject({ status: 400, body: { error: { fields: { 'query.sortt': expect.stringContaining('sort') } } } });
		const none = await call('GET', '/components', { query: { page: '2' } });
		expect(none).toMatchObject({ status: 400, body: { error: { fields: { 'query.page': 'Unknown field; the query takes no fields.' } } } });
		const follow = await call('PUT', '/needs/{id}/follow', { path: `/needs/${needId}/follow`, params: { id: needId }, body: { notify: true } });
		expect(follow).toMatchObject({ status: 400, body: { error: { fields: { notify: 'Unknown field; the body takes no fields.' } } } });
		const empty = await call('PUT', '/needs/{id}/follow', { path: `/needs/${needId}/follow`, params: { id: needId }, body: {} });
		expect(empty.status).toBe(200);
		const array = await call('POST', '/needs', { body: [] });
		expect(array.body.error.fields).toEqual({ _: expect.stringMatching(/^The body must be a JSON object with the fields title, body, kind/) });
	});

	it('lets a form post its hidden fields (intent, confirmed, next) to the same command', async () => {
		const fields = { impact: 'Our operators hit it weekly.', intent: 'support', confirmed: '1', next: '/needs' };
		const viaApi = await call('PUT', '/needs/{id}/support', { ...supportPath(), body: fields });
		expect(Object.keys(viaApi.body.error.fields).sort()).toEqual(['confirmed', 'intent', 'next']);
		const request = new Request(`${ORIGIN}/needs/${needId}?/support`, { method: 'POST', body: new URLSearchParams(fields) });
		const support = needPageActions.support as unknown as (event: object) => Promise<unknown>;
		const flash: Record<string, string> = {};
		const cookies = { set: (name: string, value: string) => (flash[name] = value), get: () => undefined, delete: () => {} };
		// Post/redirect/get: the form lands back on the need page with its message as a one-time flash.
		const answer = await support({ locals: { actor: member }, request, url: new URL(request.url), cookies, params: { id: Number(needId) } }).catch((e) => e);
		expect(isRedirect(answer) && answer.location).toBe(`/needs/${needId}`);
		expect(JSON.parse(flash.caucus_flash)).toEqual({ success: 'You support this need.', intent: 'support' });
	});

	it('shows the strictness in the OpenAPI document', () => {
		const document = openApiDocument(operations, { title: 'Caucus API', version: '1', serverUrl: `${ORIGIN}/api/v1` });
		const body = (document.paths['/needs/{id}/support'].put as { requestBody: { content: { 'application/json': { schema: Record<string, unknown> } } } })
			.requestBody.content['application/json'].schema;
		expect(body).toMatchObject({ type: 'object', additionalProperties: false, properties: { impact: expect.any(Object) } });
		expect(document.components.schemas.Error.properties.error.properties.code.enum).toEqual(
			expect.arrayContaining(['method_not_allowed', 'unsupported_media_type', 'internal'])
		);
	});
});
