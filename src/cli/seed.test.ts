import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { actorOfDemoMember } from '#lib/server/modules/members/index.ts';
import { createHandoff, draftHandoff, getSandboxIssue, listTrackerChoices, SANDBOX_STATE_WORDS } from '#lib/server/modules/handoff/index.ts';
import type { DemoWorld } from '#lib/server/platform/module.ts';
import { runDemoSeeds } from './seed.ts';

/*
 * `caucus seed --demo` is how people judge Caucus in its first minute (issue 11, defect 11): its chair can
 * hand a need upstream into an enabled sandbox tracker, and what it shows reads like a real community:
 * no title twice, needs filed over months, nothing dated after the seed ran.
 */

const DAY = 86_400_000;
let t: TestDatabase;
let world: DemoWorld;
const seededAt = new Date();

beforeAll(async () => {
	t = await createTestDatabase();
	world = await runDemoSeeds({ db: t.db, actor: null, now: () => seededAt });
}, 300_000);
afterAll(async () => {
	await t?.close();
});

describe('The demo seed', () => {
	it('configures one tracker, an enabled sandbox, and hands the demo’s upstream needs through it', async () => {
		const trackers = await t.db.selectFrom('tracker').selectAll().execute();
		expect(trackers).toEqual([expect.objectContaining({ provider: 'sandbox', disabled_at: null, credentials_encrypted: null })]);
		const handoffs = await t.db.selectFrom('handoff').selectAll().execute();
		expect(handoffs.length).toBeGreaterThanOrEqual(10);
		expect(new Set(handoffs.map((h) => h.status))).toEqual(new Set(['handed_upstream', 'in_progress', 'delivered']));
		for (const h of handoffs) {
			const issue = await t.db
				.selectFrom('sandbox_issue')
				.selectAll()
				.where('tracker_id', '=', h.tracker_id)
				.where('number', '=', Number(h.upstream_key))
				.executeTakeFirstOrThrow();
			expect(h.upstream_state).toBe(SANDBOX_STATE_WORDS[issue.state]);
			expect(h.upstream_url).toBe(`/sandbox/${h.tracker_id}/issues/${issue.number}`);
		}
	});

	it('lets the first group’s chair hand one of its accepted needs to the sandbox, and see it linked', async () => {
		const group = world.groups[0];
		const chair = world.groups[0].members[0];
		const ctx = { db: t.db, actor: actorOfDemoMember(chair), now: () => seededAt };
		const [sandbox] = await listTrackerChoices(ctx);
		expect(sandbox).toMatchObject({ sandbox: true, enabled: true });
		const waiting = await t.db
			.selectFrom('need')
			.select(['id', 'title'])
			.where('group_id', '=', group.id)
			.where('status', '=', 'accepted')
			.where((eb) => eb.not(eb.exists(eb.selectFrom('handoff').select('id').whereRef('handoff.need_id', '=', 'need.id'))))
			.orderBy('id')
			.execute();
		expect(waiting.length).toBeGreaterThanOrEqual(2);
		const { draft } = await draftHandoff(ctx, waiting[0].id, { trackerId: sandbox.id, kind: 'feature' }, { siteUrl: 'http://127.0.0.1:3000' });
		const handoff = await createHandoff(ctx, waiting[0].id, {
			trackerId: sandbox.id,
			kind: 'feature',
			title: draft.title,
			body: draft.body,
			fields: draft.fields
		});
		expect(handoff).toMatchObject({ status: 'handed_upstream', upstreamState: 'New', title: waiting[0].title });
		const { issue } = await getSandboxIssue(ctx, sandbox.id, Number(handoff.upstreamKey));
		expect(issue).toMatchObject({ title: waiting[0].title, abilities: { move: true }, needs: [{ id: waiting[0].id }] });
	});

	it('has no title twice, and no placeholder titles', async () => {
		const titles = (await t.db.selectFrom('need').select('title').execute()).map((n) => n.title);
		expect(titles.length).toBeGreaterThanOrEqual(80);
		expect(titles.filter((title, i) => titles.indexOf(title) !== i)).toEqual([]);
		expect(titles.filter((title) => /undocumented for|is undocumented|lorem|test need/i.test(title))).toEqual([]);
		const groups = (await t.db.selectFrom('group').select('name').execute()).map((g) => g.name);
		expect(groups).toEqual(expect.arrayContaining(['Large Scale SIG', 'Public Cloud SIG', 'Edge WG', 'Security SIG']));
	});

	it('spreads its history over months, with nothing dated after the seed ran', async () => {
		const filed = await t.db
			.selectFrom('need')
			.select((eb) => [
				eb.fn.min('created_at').as('first'),
				eb.fn.max('created_at').as('last'),
				sql<number>`count(distinct date_trunc('week', created_at))::int`.as('weeks')
			])
			.executeTakeFirstOrThrow();
		expect(new Date(filed.first).getTime()).toBeLessThan(seededAt.getTime() - 180 * DAY);
		expect(new Date(filed.last).getTime()).toBeGreaterThan(seededAt.getTime() - 14 * DAY);
		expect(filed.weeks).toBeGreaterThanOrEqual(20);
		for (const [table, column] of [
			['need', 'created_at'],
			['need_comment', 'created_at'],
			['support', 'created_at'],
			['need_status_change', 'at'],
			['handoff', 'created_at'],
			['sandbox_issue_event', 'at'],
			['activity', 'at']
		] as const) {
			const late = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.ref(column)} > ${seededAt}`.execute(t.db);
			expect([table, late.rows[0].n]).toEqual([table, 0]);
		}
		// A need's status changes follow its filing.
		const early = await sql<{ n: number }>`
			select count(*)::int as n from need_status_change c join need n on n.id = c.need_id where c.at < n.created_at`.execute(t.db);
		expect(early.rows[0].n).toBe(0);
	});

	it('discusses its busiest needs: several people, who answer each other', async () => {
		const top = await t.db.selectFrom('need').select('id').orderBy('support_count', 'desc').orderBy('id').limit(5).execute();
		const comments = await t.db
			.selectFrom('need_comment')
			.innerJoin('member', 'member.id', 'need_comment.author_id')
			.select(['need_comment.need_id', 'need_comment.body', 'member.display_name'])
			.where(
				'need_comment.need_id',
				'in',
				top.map((n) => n.id)
			)
			.orderBy('need_comment.created_at')
			.execute();
		for (const need of top) {
			const thread = comments.filter((c) => c.need_id === need.id);
			expect(new Set(thread.map((c) => c.display_name)).size).toBeGreaterThanOrEqual(2);
		}
		// A reply names someone who spoke before it.
		const answers = comments.filter((c, i) =>
			comments.slice(0, i).some((earlier) => earlier.need_id === c.need_id && c.body.startsWith(earlier.display_name.split(' ')[0]))
		);
		expect(answers.length).toBeGreaterThan(0);
	});
});
