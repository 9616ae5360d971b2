import { randomBytes } from 'node:crypto';
import { PostgresQueryCompiler, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSiteKey } from '#lib/server/platform/auth/encryption.ts';
import { adoptDatabase, stopRuntime } from '#lib/server/platform/runtime.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { buildChampion } from '#lib/server/modules/champions/champions.factories.ts';
import { buildHandoff, buildTracker } from '#lib/server/modules/handoff/handoff.factories.ts';
import { load } from './+page.server.ts';

/*
 * The need page shows parts from four modules (the need, its champions, its handoffs, the reader's
 * deployments). It asks whether the reader may see the need once and passes the answer on: the statements
 * of that question (the need's row, its group, the reader's membership) run once per view.
 */

let t: TestDatabase;
const statements: string[] = [];
const compiler = new PostgresQueryCompiler();
const recorder: KyselyPlugin = {
	transformQuery: (args) => {
		statements.push(compiler.compileQuery(args.node, args.queryId).sql);
		return args.node;
	},
	transformResult: async (args) => args.result
};

beforeAll(async () => {
	useSiteKey(randomBytes(32));
	t = await createTestDatabase();
	adoptDatabase({ db: t.db.withPlugin(recorder), kind: t.kind, close: async () => {} });
});
afterAll(async () => {
	await stopRuntime();
	await t.close();
});

async function view(who: MemberRow | null, needId: number) {
	statements.length = 0;
	const event = {
		locals: { actor: who ? toActor(who, 'session') : null },
		params: { id: needId },
		url: new URL(`http://caucus.test/needs/${needId}`),
		setHeaders: () => {}
	};
	const data = await (load as unknown as (e: typeof event) => Promise<Record<string, unknown>>)(event);
	const count = (pattern: RegExp) => statements.filter((s) => pattern.test(s)).length;
	return {
		data,
		needRow: count(/^select \* from "need" where "id" = \$1$/),
		groupRow: count(/^select \* from "group" where "id" = \$1$/),
		membershipRow: count(/^select \* from "group_membership" where "group_id" = \$1 and "member_id" = \$2$/)
	};
}

describe('the need page asks its access question once', () => {
	it('for a member of a closed group reading its unpublished need with champions, handoffs and comments', async () => {
		const chair = await buildMember(t.db);
		const member = await buildMember(t.db);
		const group = await buildGroup(t.db, { visibility: 'closed', chair });
		await addMembership(t.db, group, member);
		const need = await buildNeed(t.db, { group, status: 'accepted', supporters: [member] });
		await buildChampion(t.db, { need, member: chair });
		const tracker = await buildTracker(t.db, { name: 'Nova' });
		await buildHandoff(t.db, need, tracker);
		await t.db.insertInto('need_comment').values({ need_id: need.id, author_id: member.id, body: 'Hurts us too.', created_at: new Date() }).execute();

		for (const who of [member, chair]) {
			const seen = await view(who, need.id);
			expect(seen).toMatchObject({ needRow: 1, groupRow: 1, membershipRow: 1 });
			expect((seen.data.handoffs as { handoffs: unknown[] }).handoffs).toHaveLength(1);
			expect((seen.data.champions as { champions: unknown[] }).champions).toHaveLength(1);
			expect((seen.data.page as { comments: unknown[] }).comments).toHaveLength(1);
		}
		// The chair may hand the accepted need further upstream and sync it; the member may not.
		expect((await view(chair, need.id)).data.handoffs).toMatchObject({ abilities: { handOff: true, sync: true } });
		expect((await view(member, need.id)).data.handoffs).toMatchObject({ abilities: { handOff: false, sync: false } });
	});

	it('for a visitor reading a public need', async () => {
		const need = await buildNeed(t.db);
		expect(await view(null, need.id)).toMatchObject({ needRow: 1, groupRow: 0, membershipRow: 0 });
	});

	it('and an outsider is told the closed group’s need is not there, after asking it once', async () => {
		const outsider = await buildMember(t.db);
		const group = await buildGroup(t.db, { visibility: 'closed' });
		const need = await buildNeed(t.db, { group });
		statements.length = 0;
		await expect(view(outsider, need.id)).rejects.toMatchObject({ code: 'not_found' });
		expect(statements.filter((s) => /^select \* from "need" where "id" = \$1$/.test(s))).toHaveLength(1);
	});
});
