import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adoptDatabase, stopRuntime } from '#lib/server/platform/runtime.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { apiRouteModules, callHandler, routeFileOf } from '#lib/server/testing/routes.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import type { NeedRow } from '#lib/server/modules/needs/index.ts';
import { cyclesOperations } from '#lib/server/modules/cycles/cycles.api.ts';
import type { Actor } from '#lib/server/platform/context.ts';
import { prioritiesOperations } from './priorities.api.ts';

/*
 * The JSON doors of priorities, called the way SvelteKit calls them: the whole journey through the API,
 * a closed group's round answering 404 to outsiders, and no door that shows another member's ballot.
 */

let t: TestDatabase;
let admin: MemberRow;
let chair: MemberRow;
let ana: MemberRow;
let ben: MemberRow;
let outsider: MemberRow;
let group: GroupRow;
let needs: NeedRow[];
beforeAll(async () => {
	t = await createTestDatabase();
	adoptDatabase({ db: t.db, kind: t.kind, close: async () => {} });
	admin = await buildMember(t.db, { handle: 'papi-admin', isAdmin: true });
	chair = await buildMember(t.db, { handle: 'papi-chair' });
	ana = await buildMember(t.db, { handle: 'papi-ana' });
	ben = await buildMember(t.db, { handle: 'papi-ben' });
	outsider = await buildMember(t.db, { handle: 'papi-outsider' });
	group = await buildGroup(t.db, { slug: 'papi-closed', visibility: 'closed', chair });
	await addMembership(t.db, group, ana);
	await addMembership(t.db, group, ben);
	needs = [];
	for (const title of ['Quorum queues by default', 'Cells v2 scheduler hints', 'Octavia amphora failover']) {
		needs.push(await buildNeed(t.db, { group, title, status: 'accepted' }));
	}
});
afterAll(async () => {
	await stopRuntime();
	await t?.close();
});

const actor = (m: MemberRow | null): Actor | null => (m ? toActor(m, 'token') : null);
const all = [...prioritiesOperations, ...cyclesOperations];

async function call(method: string, path: string, who: MemberRow | null, body?: unknown, query?: Record<string, string>) {
	const bare = path.split('?')[0];
	const op = all.find((o) => o.method === method && new RegExp(`^${o.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(bare));
	if (!op) throw new Error(`No operation for ${method} ${path}`);
	const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
	const values = bare.split('/').filter((_, i) => op.path.split('/')[i]?.startsWith('{'));
	const params = Object.fromEntries(names.map((n, i) => [n, values[i]]));
	const handler = apiRouteModules[routeFileOf(op.path)][method];
	const response = await callHandler(handler, method, bare, { actor: actor(who), params, body, query });
	return { status: response.status, json: response.status === 204 ? null : await response.json() };
}

describe('the priorities API', () => {
	it('an administrator adds a cycle; a chair opens, members rank, the chair closes and publishes; anyone exports', async () => {
		expect((await call('POST', '/cycles', chair, { slug: '2027.1', startsOn: '2027-01-01', endsOn: '2027-06-30' })).status).toBe(403);
		const cycle = await call('POST', '/cycles', admin, { slug: '2027.1', name: 'Hibiscus', startsOn: '2027-01-01', endsOn: '2027-06-30' });
		expect(cycle).toMatchObject({ status: 201, json: { slug: '2027.1', name: 'Hibiscus' } });
		expect((await call('GET', '/cycles', null)).json.cycles).toContainEqual(expect.objectContaining({ slug: '2027.1' }));
		expect((await call('PUT', '/cycles/2027.1', admin, { slug: '2027.1', name: 'Hibiscus', startsOn: '2027-01-02', endsOn: '2027-06-30' })).json.startsOn).toBe(
			'2027-01-02'
		);

		const opened = await call('POST', '/priorities/rounds', chair, {
			group: group.slug,
			cycle: '2027.1',
			title: 'Closed SIG priorities 2027.1',
			candidates: needs.map((n) => n.id)
		});
		expect(opened.status).toBe(201);
		const id = opened.json.id as number;
		expect(opened.json).toMatchObject({ state: 'open', candidateCount: 3, ballotCount: 0, abilities: { close: true, vote: true } });

		const [a, b, c] = needs.map((n) => n.id);
		expect((await call('PUT', `/priorities/rounds/${id}/ballot`, ana, { ranking: [[b], [a, c]] })).status).toBe(200);
		expect((await call('PUT', `/priorities/rounds/${id}/ballot`, ben, { ranking: [[b], [c]] })).status).toBe(200);
		expect((await call('GET', `/priorities/rounds/${id}/ballot`, ana)).json.ranking).toEqual([[b], [a, c]]);
		expect((await call('GET', `/priorities/rounds/${id}`, ana)).json.ballotCount).toBe(2);

		const closed = await call('POST', `/priorities/rounds/${id}/close`, chair);
		expect(closed.json).toMatchObject({ state: 'closed', result: { ranking: [b, c, a], ballots: 2, eligible: 3 } });
		expect((await call('PUT', `/priorities/rounds/${id}/ballot`, ana, { ranking: [[a]] })).status).toBe(409);

		const published = await call('POST', `/priorities/rounds/${id}/publish`, chair, {});
		expect(published).toMatchObject({
			status: 201,
			json: { version: 1, slug: 'papi-closed-2027.1-v1', entries: [{ needId: b, rank: 1 }, { needId: c }, { needId: a }] }
		});

		// The list of a closed group is public; the round stays with the group.
		expect((await call('GET', `/priorities/lists/${published.json.id}`, null)).status).toBe(200);
		expect((await call('GET', '/priorities/lists/papi-closed-2027.1', null)).json.id).toBe(published.json.id);
		expect((await call('GET', `/priorities/rounds/${id}`, null)).status).toBe(404);
		expect((await call('GET', `/priorities/rounds/${id}`, outsider)).status).toBe(404);
		expect((await call('GET', '/priorities/rounds', outsider)).json.rounds).toEqual([]);
		expect((await call('GET', '/priorities/lists', null, undefined, { group: group.slug })).json.lists).toHaveLength(1);

		const md = await call('GET', `/priorities/lists/${published.json.id}/export`, null, undefined, { format: 'md' });
		expect(md.json).toMatchObject({ format: 'md', filename: 'papi-closed-2027.1-v1.md' });
		// The closed group's needs are not public: the file names them without a link that would 404.
		expect(md.json.content).toContain(`| 1 | #${b} Cells v2 scheduler hints |`);
		expect(md.json.content).toContain('## Pairwise table');
		const json = await call('GET', `/priorities/lists/${published.json.id}/export`, null, undefined, { format: 'json' });
		expect(JSON.parse(json.json.content)).toMatchObject({ slug: 'papi-closed-2027.1-v1', turnout: { ballots: 2, eligible: 3 } });
		expect((await call('GET', `/priorities/lists/${published.json.id}/export`, null, undefined, { format: 'pdf' })).status).toBe(400);

		// No door shows a voter's ballot or name: not the round, not the list, not the exports.
		for (const body of [closed.json, published.json, md.json, json.json]) {
			const text = JSON.stringify(body);
			for (const voter of [ana, ben]) {
				expect(text).not.toContain(voter.handle);
				expect(text).not.toContain(`"memberId":${voter.id}`);
			}
		}
		// "My ballot" is the caller's own: the chair has none, and there is no way to name another member.
		expect((await call('GET', `/priorities/rounds/${id}/ballot`, chair)).status).toBe(404);
		expect((await call('GET', `/priorities/rounds/${id}/ballot`, admin)).status).toBe(404);
		expect((await call('GET', `/priorities/rounds/${id}/ballot`, outsider)).status).toBe(404);
		expect((await call('GET', `/priorities/rounds/${id}/ballot`, null)).status).toBe(401);
	});

	it('answers bad input with field errors: unknown candidate, duplicate rank, non-member, too few candidates', async () => {
		const opened = await call('POST', '/priorities/rounds', chair, {
			group: group.slug,
			cycle: '2027.1',
			title: 'Second round',
			candidates: [needs[0].id, needs[1].id]
		});
		const id = opened.json.id as number;
		const unknown = await call('PUT', `/priorities/rounds/${id}/ballot`, ana, { ranking: [[needs[2].id]] });
		expect(unknown).toMatchObject({ status: 400, json: { error: { code: 'invalid_input', fields: { ranking: expect.stringContaining('not a candidate') } } } });
		const twice = await call('PUT', `/priorities/rounds/${id}/ballot`, ana, { ranking: [[needs[0].id], [needs[0].id]] });
		expect(twice).toMatchObject({ status: 400, json: { error: { fields: { ranking: expect.stringMatching(/twice/) } } } });
		expect((await call('PUT', `/priorities/rounds/${id}/ballot`, outsider, { ranking: [[needs[0].id]] })).status).toBe(404);
		expect((await call('PUT', `/priorities/rounds/${id}/ballot`, ana, { ranking: 'first' })).status).toBe(400);
		const few = await call('POST', '/priorities/rounds', chair, { group: group.slug, cycle: '2027.1', title: 'Too small', candidates: [needs[0].id] });
		expect(few).toMatchObject({ status: 400, json: { error: { fields: { candidates: expect.stringMatching(/at least two/) } } } });
		expect(
			(await call('POST', '/priorities/rounds', ana, { group: group.slug, cycle: '2027.1', title: 'Not mine', candidates: [needs[0].id, needs[1].id] })).status
		).toBe(403);
		expect((await call('POST', `/priorities/rounds/${id}/close`, ana)).status).toBe(403);
		expect((await call('POST', `/priorities/rounds/${id}/publish`, chair, {})).status).toBe(409);
	});
});
