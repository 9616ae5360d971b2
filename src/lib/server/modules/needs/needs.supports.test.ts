import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { buildDeployment, buildNeed } from './needs.factories.ts';
import { followNeed, supportNeed, unfollowNeed, withdrawSupport } from './needs.supports.ts';
import { mergeNeed, undoMerge } from './needs.triage.ts';

let t: TestDatabase;
let admin: MemberRow;
const clock = new TestClock();
beforeAll(async () => {
	t = await createTestDatabase();
	admin = await buildMember(t.db, { isAdmin: true });
});
afterAll(() => t?.close());

const as = (who: MemberRow | null) => ctxFor(t.db, who, clock);
const failure = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(error: unknown) => error as { code: string; fields: Record<string, string>; message: string }
	);

/** Every need whose support_count differs from the rows (distinct members over the need and its duplicates). */
async function wrongCounts(): Promise<{ id: number; stored: number; actual: number }[]> {
	const result = await sql<{ id: number; stored: number; actual: number }>`
		select n.id, n.support_count as stored, (
			select count(distinct s.member_id)::int from support s
			where s.need_id = n.id or s.need_id in (select d.id from need d where d.duplicate_of_id = n.id)
		) as actual
		from need n`.execute(t.db);
	return result.rows.filter((r) => Number(r.stored) !== Number(r.actual));
}

async function supportRows(needId: number) {
	return (await t.db.selectFrom('support').select('member_id').where('need_id', '=', needId).orderBy('member_id').execute()).map((r) => r.member_id);
}

describe('supporting a need', () => {
	it('counts a member once: supporting again updates the evidence instead of failing', async () => {
		const need = await buildNeed(t.db);
		const olga = await buildMember(t.db);
		const cloud = await buildDeployment(t.db, olga, { name: 'Region one' });
		const first = await supportNeed(as(olga), need.id, {});
		expect(first).toEqual({ needId: need.id, redirectedFrom: null, supportCount: 1, supporting: true, following: false });
		const again = await supportNeed(as(olga), need.id, { deploymentId: String(cloud.id), impact: '  Every upgrade hurts.  ' });
		expect(again.supportCount).toBe(1);
		const row = await t.db.selectFrom('support').selectAll().where('need_id', '=', need.id).where('member_id', '=', olga.id).executeTakeFirstOrThrow();
		expect(row).toMatchObject({ deployment_id: cloud.id, impact: 'Every upgrade hurts.' });
		// A form's empty select clears the evidence.
		await supportNeed(as(olga), need.id, { deploymentId: '', impact: '' });
		expect(await t.db.selectFrom('support').select(['deployment_id', 'impact']).where('need_id', '=', need.id).executeTakeFirstOrThrow()).toEqual({
			deployment_id: null,
			impact: null
		});
	});

	it('takes only the actor’s own deployment as evidence, with a field error', async () => {
		const need = await buildNeed(t.db);
		const olga = await buildMember(t.db);
		const ivan = await buildMember(t.db);
		const ivansCloud = await buildDeployment(t.db, ivan);
		expect(await failure(supportNeed(as(olga), need.id, { deploymentId: ivansCloud.id }))).toMatchObject({
			code: 'invalid_input',
			fields: { deploymentId: expect.any(String) }
		});
		expect(await failure(supportNeed(as(olga), need.id, { deploymentId: 'abc', impact: 'x'.repeat(1001) }))).toMatchObject({
			code: 'invalid_input',
			fields: { deploymentId: expect.any(String), impact: expect.any(String) }
		});
		expect(await supportRows(need.id)).toEqual([]);
	});

	it('asks a visitor to sign in, and does not find a need the actor may not read', async () => {
		const need = await buildNeed(t.db);
		expect(await failure(supportNeed(as(null), need.id, {}))).toMatchObject({ code: 'unauthenticated' });
		const closed = await buildGroup(t.db, { visibility: 'closed' });
		const secret = await buildNeed(t.db, { group: closed });
		const outsider = await buildMember(t.db);
		expect(await failure(supportNeed(as(outsider), secret.id, {}))).toMatchObject({ code: 'not_found' });
		expect(await failure(followNeed(as(outsider), secret.id))).toMatchObject({ code: 'not_found' });
		expect(await failure(withdrawSupport(as(outsider), secret.id))).toMatchObject({ code: 'not_found' });
		expect(await failure(supportNeed(as(outsider), 999_999, {}))).toMatchObject({ code: 'not_found' });
	});

	it('refuses support for a hidden need, even from its moderators', async () => {
		const need = await buildNeed(t.db, { hiddenAt: new Date(), hiddenReason: 'spam' });
		expect(await failure(supportNeed(as(admin), need.id, {}))).toMatchObject({ code: 'forbidden' });
		const member = await buildMember(t.db);
		expect(await failure(supportNeed(as(member), need.id, {}))).toMatchObject({ code: 'not_found' });
	});

	it('supports the need a duplicate was merged into, and says so', async () => {
		const target = await buildNeed(t.db);
		const duplicate = await buildNeed(t.db, { duplicateOf: target });
		const olga = await buildMember(t.db);
		const state = await supportNeed(as(olga), duplicate.id, {});
		expect(state).toMatchObject({ needId: target.id, redirectedFrom: duplicate.id, supportCount: 1, supporting: true });
		expect(await supportRows(target.id)).toEqual([olga.id]);
		expect(await supportRows(duplicate.id)).toEqual([]);
	});

	it('withdraws from the need and from the needs merged into it, so the person no longer counts', async () => {
		const [olga, ivan] = [await buildMember(t.db), await buildMember(t.db)];
		const target = await buildNeed(t.db, { supporters: [olga, ivan] });
		const duplicate = await buildNeed(t.db, { duplicateOf: target, supporters: [olga] });
		expect((await t.db.selectFrom('need').select('support_count').where('id', '=', target.id).executeTakeFirstOrThrow()).support_count).toBe(2);
		const state = await withdrawSupport(as(olga), target.id);
		expect(state).toMatchObject({ needId: target.id, supportCount: 1, supporting: false });
		expect(await supportRows(duplicate.id)).toEqual([]);
		// Withdrawing what was never given changes nothing.
		expect(await withdrawSupport(as(olga), duplicate.id)).toMatchObject({
			needId: target.id,
			redirectedFrom: duplicate.id,
			supportCount: 1,
			supporting: false
		});
		expect(await wrongCounts()).toEqual([]);
	});

	it('follows and unfollows: a duplicate’s follow goes to its target, unfollowing clears the family', async () => {
		const olga = await buildMember(t.db);
		const target = await buildNeed(t.db);
		const duplicate = await buildNeed(t.db, { duplicateOf: target });
		await t.db.insertInto('need_follow').values({ need_id: duplicate.id, member_id: olga.id, created_at: new Date() }).execute();
		const followed = await followNeed(as(olga), duplicate.id);
		expect(followed).toMatchObject({ needId: target.id, following: true, supporting: false, supportCount: 0 });
		expect(await followNeed(as(olga), target.id)).toMatchObject({ following: true });
		const rows = await t.db.selectFrom('need_follow').select('need_id').where('member_id', '=', olga.id).orderBy('need_id').execute();
		expect(rows.map((r) => r.need_id)).toEqual([target.id, duplicate.id]);
		expect(await unfollowNeed(as(olga), target.id)).toMatchObject({ following: false });
		expect(await t.db.selectFrom('need_follow').select('need_id').where('member_id', '=', olga.id).execute()).toEqual([]);
		expect(await failure(followNeed(as(null), target.id))).toMatchObject({ code: 'unauthenticated' });
	});

	it('lets a closed group’s members support its unpublished needs', async () => {
		const closed = await buildGroup(t.db, { visibility: 'closed' });
		const insider = await buildMember(t.db);
		await addMembership(t.db, closed, insider);
		const need = await buildNeed(t.db, { group: closed });
		expect(await supportNeed(as(insider), need.id, {})).toMatchObject({ supportCount: 1 });
	});
});

describe('counting under concurrency', () => {
	it('keeps support_count equal to the distinct rows when 20 members support and withdraw at once', async () => {
		const need = await buildNeed(t.db);
		const members = await Promise.all(Array.from({ length: 20 }, () => buildMember(t.db)));
		await Promise.all(members.map((m) => supportNeed(as(m), need.id, {})));
		expect((await t.db.selectFrom('need').select('support_count').where('id', '=', need.id).executeTakeFirstOrThrow()).support_count).toBe(20);
		await Promise.all(members.map((m, i) => (i % 2 === 0 ? withdrawSupport(as(m), need.id) : supportNeed(as(m), need.id, { impact: 'again' }))));
		const stored = await t.db.selectFrom('need').select('support_count').where('id', '=', need.id).executeTakeFirstOrThrow();
		expect(stored.support_count).toBe(10);
		expect((await supportRows(need.id)).length).toBe(10);
		expect(await wrongCounts()).toEqual([]);
	});

	it('keeps every count exact when supports race with merges and undos of the same needs', async () => {
		const target = await buildNeed(t.db);
		const source = await buildNeed(t.db);
		const members = await Promise.all(Array.from({ length: 16 }, () => buildMember(t.db)));
		for (let round = 0; round < 3; round++) {
			const work: Promise<unknown>[] = members.map((m, i) =>
				i % 3 === 0
					? supportNeed(as(m), source.id, {})
					: i % 3 === 1
						? supportNeed(as(m), target.id, {})
						: withdrawSupport(as(m), i % 2 ? source.id : target.id)
			);
			work.push(mergeNeed(as(admin), { sourceId: source.id, targetId: target.id, reason: 'Same problem.' }).catch((e) => e));
			await Promise.all(work);
			expect(await wrongCounts()).toEqual([]);
			const merge = await t.db.selectFrom('need_merge').select('id').where('source_id', '=', source.id).where('undone_at', 'is', null).executeTakeFirst();
			const undo: Promise<unknown>[] = members.map((m, i) => (i % 2 ? supportNeed(as(m), source.id, {}) : withdrawSupport(as(m), target.id)));
			if (merge) undo.push(undoMerge(as(admin), merge.id));
			await Promise.all(undo);
			expect(await wrongCounts()).toEqual([]);
		}
	});
});
