import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { z } from 'zod';
import { operations } from '#lib/server/modules.ts';
import { adoptDatabase, stopRuntime } from '#lib/server/platform/runtime.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { apiRouteModules, callHandler, routeFileOf } from '#lib/server/testing/routes.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import type { Actor } from '#lib/server/platform/context.ts';

/**
 * Bad input, every endpoint: malformed, oversized and wrongly typed payloads never get a 5xx,
 * and a refused request leaves every table exactly as it was.
 */
let t: TestDatabase;
let actors: Record<'visitor' | 'member' | 'admin', Actor | null>;

beforeAll(async () => {
	t = await createTestDatabase();
	adoptDatabase({ db: t.db, kind: t.kind, close: async () => {} });
	const member = await buildMember(t.db, { handle: 'prop-member' });
	const admin = await buildMember(t.db, { handle: 'prop-admin', isAdmin: true });
	actors = { visitor: null, member: toActor(member, 'token'), admin: toActor(admin, 'token') };
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
