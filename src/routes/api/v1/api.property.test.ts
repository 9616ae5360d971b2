import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { z } from 'zod';
import { operations } from '#lib/server/modules.ts';
import { adoptDatabase, stopRuntime } from '#lib/server/platform/runtime.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { apiRouteModules, callHandler, requestThroughHook, routeFileOf } from '#lib/server/testing/routes.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import type { Actor } from '#lib/server/platform/context.ts';
import { handle } from '../../../hooks.server.ts';

/**
 * Bad input, every endpoint: malformed, oversized and wrongly typed payloads never get a 5xx,
 * and a refused request leaves every table exactly as it was.
 */
let t: TestDatabase;
let actors: Record<'visitor' | 'member' | 'admin', Actor | null>;

// Through the server hook, a bearer token or session cookie names an actor; checking them is the members module's business.
const auth = vi.hoisted(() => ({ tokens: new Map<string, unknown>(), sessions: new Map<string, unknown>() }));
vi.mock('#lib/server/modules/members/index.ts', async (importOriginal) => ({
	...(await importOriginal<object>()),
	actorForToken: async (_db: unknown, token: string) => auth.tokens.get(token) ?? null,
	actorForSession: async (_db: unknown, cookie: string) => auth.sessions.get(cookie) ?? null
}));

beforeAll(async () => {
	t = await createTestDatabase();
	adoptDatabase({ db: t.db, kind: t.kind, close: async () => {} });
	const member = await buildMember(t.db, { handle: 'prop-member' });
	const admin = await buildMember(t.db, { handle: 'prop-admin', isAdmin: true });
	actors = { visitor: null, member: toActor(member, 'token'), admin: toActor(admin, 'token') };
	auth.tokens.set('cau_prop-member', actors.member);
	auth.tokens.set('cau_prop-admin', actors.admin);
	auth.sessions.set('prop-member-session', toActor(member, 'session'));
});
afterAll(async () => {
	await stopRuntime();
	await t?.close();
});

/** A digest of every row of every table: equal digests mean nothing was written. */
async function digest(): Promise<string> {
	const tables = await sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public' order by tablename`.execute(t.db);
	const parts: string[] = [];
	for (const { name } of tables.rows) {
		const result = await sql<{ d: string | null }>`select md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as d from ${sql.table(name)} x`.execute(
			t.db
		);
		parts.push(`${name}:${result.rows[0].d}`);
	}
	return parts.join(',');
}

const oversized = fc.constant('x'.repeat(300 * 1024));
/**
 * Characters PostgreSQL cannot store or that reorder text (decision 0013): NUL, lone high and low
 * surrogates, bidi overrides, isolates and marks, mixed into ordinary text.
 */
const unstorable = fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\u202E', '\u202B', '\u2066', '\u2069', '\u200F', '\u061C');
const tainted = (maxLength: number) =>
	fc.string({ unit: fc.oneof({ weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: unstorable }), maxLength });
/** A path segment may hold a lone surrogate, which encodeURIComponent refuses; the URL gets U+FFFD instead. */
const encodeSegment = (value: string) => encodeURIComponent(value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
const weird = fc.oneof(
	fc.string(),
	tainted(60),
	fc.string({ unit: 'grapheme', maxLength: 400 }),
	fc.integer(),
	fc.double(),
	fc.boolean(),
	fc.constant(null),
	fc.array(fc.oneof(fc.string(), tainted(20)), { maxLength: 5 }),
	fc.dictionary(fc.oneof(fc.string(), tainted(10)), fc.oneof(fc.string(), tainted(20)), { maxKeys: 3 }),
	fc.constantFrom(
		'',
		' ',
		'0',
		'-1',
		'1e309',
		'NaN',
		'<script>alert(1)</script>',
		"'; drop table member; --",
		'\u0000',
		'a\u0000b',
		'\uD800',
		'x\uDC00',
		'\u202Egnp.exe',
		'a'.repeat(5000)
	)
);

function fieldNames(schema: z.ZodType | undefined): string[] {
	if (!schema) return [];
	const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown> };
	return Object.keys(json.properties ?? {});
}

/** Payloads shaped like the operation's body, with every field possibly of the wrong type or size. */
function bodies(fields: string[]) {
	return fc.oneof(
		fc.jsonValue(),
		fields.length ? fc.record(Object.fromEntries(fields.map((f) => [f, weird])), { requiredKeys: [] }) : fc.constant({}),
		fc.constantFrom('{not json', '[1,2', '"\\u00"', 'null', '[]', '1'),
		oversized.map((s) => ({ [fields[0] ?? 'x']: s }))
	);
}

describe('every API operation refuses bad input cleanly', () => {
	it('would notice a write (the digest is not blind)', async () => {
		const before = await digest();
		await t.db.updateTable('member').set({ bio: 'changed' }).where('handle', '=', 'prop-member').execute();
		expect(await digest()).not.toBe(before);
		await t.db.updateTable('member').set({ bio: '' }).where('handle', '=', 'prop-member').execute();
		expect(await digest()).toBe(before);
	});

	it('has a handler for every operation in the OpenAPI document', () => {
		for (const op of operations) {
			const module = apiRouteModules[routeFileOf(op.path)];
			expect(module?.[op.method], `${op.method} ${op.path}`).toBeTypeOf('function');
		}
	});

	for (const op of operations) {
		it(`${op.method} ${op.path}`, async () => {
			const handler = apiRouteModules[routeFileOf(op.path)][op.method];
			const paramNames = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
			const queryNames = fieldNames(op.query);
			const bodyNames = fieldNames(op.body);
			await fc.assert(
				fc.asyncProperty(
					fc.constantFrom<keyof typeof actors>('visitor', 'member', 'admin'),
					fc.record(
						Object.fromEntries(
							paramNames.map((p) => [
								p,
								fc.oneof(
									fc.constantFrom('prop-member', 'prop-admin', '1', '0', '-1', 'a\u0000b', '\uD800', '\u202Eprop-member'),
									fc.string({ maxLength: 300 }),
									tainted(40)
								)
							])
						)
					),
					fc.dictionary(
						fc.constantFrom(...queryNames, 'unexpected'),
						fc.oneof(fc.string({ maxLength: 300 }), tainted(40), fc.constantFrom('-1', '0', '99999999999', 'abc', '\u0000', 'a\u0000b'))
					),
					bodies(bodyNames),
					async (who, params, query, body) => {
						const before = await digest();
						const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeSegment(params[name]));
						const response = await callHandler(handler, op.method, path, { actor: actors[who], params, query, body });
						expect(response.status, `${op.method} ${path} as ${who}: ${await response.clone().text()}`).toBeLessThan(500);
						if (response.status >= 400) {
							const payload = await response.json();
							expect(payload.error).toMatchObject({ code: expect.any(String), message: expect.any(String), fields: expect.any(Object) });
							expect(await digest()).toBe(before);
						}
					}
				),
				{ numRuns: 40 }
			);
		});
	}
});

/** An answer in the API's error shape: JSON, with a code, a message and the fields. */
async function expectErrorShape(response: Response, what: string) {
	expect(response.headers.get('content-type'), what).toContain('application/json');
	const text = await response.text();
	let payload: { error?: unknown } = {};
	expect(() => (payload = JSON.parse(text)), `${what}: ${text.slice(0, 300)}`).not.toThrow();
	expect(payload.error, `${what}: ${text.slice(0, 300)}`).toMatchObject({ code: expect.any(String), message: expect.any(String), fields: expect.any(Object) });
}

describe('every answer under /api, through the server hook, is JSON', () => {
	const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
	const segment = fc.oneof(
		fc.constantFrom('needs', 'groups', 'members', 'me', 'support', 'comments', 'openapi.json', '1', '0', 'prop-member', '', '..', '%', 'x'.repeat(300)),
		fc.string({ maxLength: 20 }),
		tainted(10)
	);
	/** A path under /api: an operation's with random params, or segments that may name nothing. */
	const path = fc.oneof(
		fc.tuple(fc.constantFrom(...operations.map((op) => op.path)), fc.array(segment, { minLength: 4, maxLength: 4 })).map(([template, values]) => {
			let i = 0;
			return `/api/v1${template.replace(/\{(\w+)\}/g, () => encodeSegment(values[i++ % values.length]))}`;
		}),
		fc
			.tuple(fc.constantFrom('/api/v1', '/api', '/api/v2', '/api/v1/needs/1', '/api/v1/groups/x'), fc.array(segment, { maxLength: 5 }))
			.map(([prefix, segments]) => [prefix, ...segments.map(encodeSegment)].join('/'))
	);
	const auths: Record<string, Record<string, string>> = {
		none: {},
		token: { authorization: 'Bearer cau_prop-member' },
		admin: { authorization: 'Bearer cau_prop-admin' },
		badToken: { authorization: 'Bearer cau_nobody' },
		cookie: { cookie: 'caucus_session=prop-member-session', origin: 'http://caucus.test' },
		crossSiteCookie: { cookie: 'caucus_session=prop-member-session', origin: 'http://evil.example' },
		cookieNoOrigin: { cookie: 'caucus_session=prop-member-session' }
	};
	const contentTypes = fc.constantFrom<string | null>(
		'application/json',
		'application/json; charset=utf-8',
		'application/x-www-form-urlencoded',
		'multipart/form-data; boundary=x',
		'text/plain',
		'application/xml',
		null
	);
	const body = fc.oneof(
		fc.constant(undefined),
		fc.jsonValue().map((v) => JSON.stringify(v)),
		fc.dictionary(fc.oneof(fc.string(), tainted(10)), weird, { maxKeys: 4 }).map((v) => JSON.stringify(v)),
		fc.constantFrom('{not json', 'title=x&kind=bug', '', '[]', 'null')
	);

	it('unknown paths, wrong methods and every media type included', async () => {
		await fc.assert(
			fc.asyncProperty(
				fc.constantFrom(...METHODS),
				path,
				fc.dictionary(fc.constantFrom('sort', 'q', 'limit', 'unexpected'), fc.oneof(fc.string({ maxLength: 40 }), tainted(20)), { maxKeys: 2 }),
				fc.constantFrom(...Object.keys(auths)),
				contentTypes,
				body,
				async (method, pathname, query, who, contentType, payload) => {
					const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, v.replace(/[\uD800-\uDFFF]/g, '\uFFFD')])).toString();
					const headers = { ...auths[who], ...(contentType ? { 'content-type': contentType } : {}) };
					const what = `${method} ${pathname}?${search} as ${who} (${contentType})`;
					// A path such as /api/.. is the site's root once the URL is read: not the API's to answer.
					fc.pre(/^\/api(\/|$)/.test(new URL(`http://caucus.test${pathname}`).pathname));
					const before = await digest();
					const response = await requestThroughHook(handle, { method, path: search ? `${pathname}?${search}` : pathname, headers, body: payload });
					expect(response.status, what).toBeLessThan(500);
					if (response.status >= 400) {
						await expectErrorShape(response, what);
						expect(await digest(), what).toBe(before);
					}
				}
			),
			{ numRuns: 300 }
		);
	});
});
