import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { Db } from '#lib/server/platform/db/database.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addDeployment, removeDeployment, updateDeployment, updateProfile } from '#lib/server/modules/members/members.commands.ts';
import { buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
// Through the module's index: it registers the hook the members commands call.
import { getNeedPage, listBoard, mergeNeed, splitNeed, supportNeed, undoMerge, withdrawSupport } from './index.ts';
import { buildNeed } from './needs.factories.ts';

/*
 * need.support_count, organization_count, deployment_count, deployment_nodes and deployment_instances,
 * and need_segment_count and need_organization_count, are stored and kept exact by the commands; here they are compared with a live recount from the rows
 * after every kind of change.
 */

interface Facts {
	supporters: number;
	organizations: number;
	deployments: number;
	nodes: number;
	instances: number;
}

/** The supporter facts of a need computed live from the rows: the need and the needs merged into it. */
export async function liveSupportFacts(db: Db, needId: number): Promise<Facts> {
	const family = sql`(select ${needId}::bigint union select d.id from need d where d.duplicate_of_id = ${needId})`;
	const people = await sql<{ supporters: number; organizations: number }>`
		select count(distinct s.member_id)::int as supporters, count(distinct lower(nullif(trim(m.organization), '')))::int as organizations
		from support s join member m on m.id = s.member_id where s.need_id in ${family}`.execute(db);
	const evidence = await sql<{ deployments: number; nodes: number; instances: number }>`
		select count(*)::int as deployments, coalesce(sum(dep.nodes), 0)::bigint as nodes, coalesce(sum(dep.instances), 0)::bigint as instances
		from deployment dep where dep.id in (select s.deployment_id from support s where s.need_id in ${family})`.execute(db);
	const p = people.rows[0];
	const e = evidence.rows[0];
	return {
		supporters: Number(p.supporters),
		organizations: Number(p.organizations),
		deployments: Number(e.deployments),
		nodes: Number(e.nodes),
		instances: Number(e.instances)
	};
}

async function storedFacts(db: Db, needId: number): Promise<Facts> {
	const r = await db
		.selectFrom('need')
		.select(['support_count', 'organization_count', 'deployment_count', 'deployment_nodes', 'deployment_instances'])
		.where('id', '=', needId)
		.executeTakeFirstOrThrow();
	return {
		supporters: r.support_count,
		organizations: r.organization_count,
		deployments: r.deployment_count,
		nodes: Number(r.deployment_nodes),
		instances: Number(r.deployment_instances)
	};
}

/** Supporters per segment of a need's family, live from the rows, as "segment:count" in segment order. */
async function liveSegments(db: Db, needId: number): Promise<string[]> {
	const result = await sql<{ segment: string; n: number }>`
		select seg as segment, count(distinct s.member_id)::int as n
		from support s join member m on m.id = s.member_id cross join lateral unnest(m.segments) as seg
		where s.need_id in (select ${needId}::bigint union select d.id from need d where d.duplicate_of_id = ${needId})
		group by seg order by seg`.execute(db);
	return result.rows.map((r) => `${r.segment}:${r.n}`);
}

/** Supporters per organization key of a need's family, live from the rows, as "organization:count". */
async function liveOrganizations(db: Db, needId: number): Promise<string[]> {
	const result = await sql<{ organization: string; n: number }>`
		select lower(nullif(trim(m.organization), '')) as organization, count(distinct s.member_id)::int as n
		from support s join member m on m.id = s.member_id
		where s.need_id in (select ${needId}::bigint union select d.id from need d where d.duplicate_of_id = ${needId})
			and lower(nullif(trim(m.organization), '')) is not null
		group by 1 order by 1`.execute(db);
	return result.rows.map((r) => `${r.organization}:${r.n}`);
}

async function storedOrganizations(db: Db, needId: number): Promise<string[]> {
	const rows = await db
		.selectFrom('need_organization_count')
		.select(['organization', 'supporters'])
		.where('need_id', '=', needId)
		.where('supporters', '>', 0)
		.orderBy('organization')
		.execute();
	return rows.map((r) => `${r.organization}:${r.supporters}`);
}

async function storedSegments(db: Db, needId: number): Promise<string[]> {
	const rows = await db
		.selectFrom('need_segment_count')
		.select(['segment', 'supporters'])
		.where('need_id', '=', needId)
		.where('supporters', '>', 0)
		.orderBy('segment')
		.execute();
	return rows.map((r) => `${r.segment}:${r.supporters}`);
}

let t: TestDatabase;
let chair: MemberRow;
let group: GroupRow;
const clock = new TestClock();
beforeAll(async () => {
	t = await createTestDatabase();
	chair = await buildMember(t.db, { handle: 'facts-chair' });
	group = await buildGroup(t.db, { chair });
});
afterAll(() => t?.close());

const as = (who: MemberRow) => {
	clock.advance(1000);
	return ctxFor(t.db, who, clock);
};

/** Every need's stored facts against the live recount; returns the ones that differ. */
async function wrongFacts() {
	const ids = (await t.db.selectFrom('need').select('id').orderBy('id').execute()).map((r) => r.id);
	type Breakdown = Facts & { segments: string[]; organizationRows: string[] };
	const wrong: { id: number; stored: Breakdown; live: Breakdown }[] = [];
	for (const id of ids) {
		const [stored, live] = await Promise.all([
			Promise.all([storedFacts(t.db, id), storedSegments(t.db, id), storedOrganizations(t.db, id)]),
			Promise.all([liveSupportFacts(t.db, id), liveSegments(t.db, id), liveOrganizations(t.db, id)])
		]).then((both) => both.map(([facts, segments, organizationRows]): Breakdown => ({ ...facts, segments, organizationRows })));
		if (JSON.stringify(stored) !== JSON.stringify(live)) wrong.push({ id, stored, live });
	}
	return wrong;
}

describe('stored supporter facts', () => {
	it('equal a live recount after supports, withdrawals, merge, undo, split, an organization change and deployment changes', async () => {
		const acme1 = await buildMember(t.db, { organization: 'ACME' });
		const acme2 = await buildMember(t.db, { organization: ' acme' });
		const globex = await buildMember(t.db, { organization: 'Globex' });
		const nobody = await buildMember(t.db, { organization: null });
		const target = await buildNeed(t.db, { group, title: 'Facts target need' });
		const source = await buildNeed(t.db, { group, title: 'Facts source need' });
		const carried = await buildNeed(t.db, { group, title: 'Facts carried need' });
		const d1 = await addDeployment(as(acme1), { name: 'Prod one', nodes: 100, instances: 2000 });
		const d2 = await addDeployment(as(globex), { name: 'Prod two', nodes: 40 });
		const d3 = await addDeployment(as(nobody), { name: 'Lab', nodes: 3, instances: 30 });

		await supportNeed(as(acme1), target.id, { deploymentId: d1.id });
		await supportNeed(as(acme2), target.id, {});
		await supportNeed(as(globex), source.id, { deploymentId: d2.id });
		await supportNeed(as(acme1), source.id, { deploymentId: d1.id });
		await supportNeed(as(nobody), carried.id, { deploymentId: d3.id });
		expect(await storedFacts(t.db, target.id)).toEqual({ supporters: 2, organizations: 1, deployments: 1, nodes: 100, instances: 2000 });
		expect(await wrongFacts()).toEqual([]);

		// A merge chain (carried → source, then source → target: carried is re-pointed) and its undo.
		await mergeNeed(as(chair), { sourceId: carried.id, targetId: source.id, reason: 'Same thing.' });
		expect(await wrongFacts()).toEqual([]);
		const merged = await mergeNeed(as(chair), { sourceId: source.id, targetId: target.id, reason: 'Same thing again.' });
		expect(await storedFacts(t.db, target.id)).toEqual({ supporters: 4, organizations: 2, deployments: 3, nodes: 143, instances: 2030 });
		expect(await wrongFacts()).toEqual([]);
		const board = await listBoard(ctxFor(t.db, chair, clock), { q: 'facts target' });
		expect(board.needs.find((r) => r.id === target.id)).toMatchObject({ supportCount: 4, organizationCount: 2, deploymentCount: 3 });
		expect((await getNeedPage(ctxFor(t.db, chair, clock), target.id)).counts).toMatchObject({
			supporters: 4,
			organizations: 2,
			deployments: 3,
			nodes: 143,
			instances: 2030
		});

		// Withdrawing from the root withdraws from the family.
		await withdrawSupport(as(globex), target.id);
		expect(await wrongFacts()).toEqual([]);

		// An organization change, a deployment's size change, a rename (no recount needed) and a removal.
		await updateProfile(as(acme2), { organization: 'Initech' });
		expect((await storedFacts(t.db, target.id)).organizations).toBe(2);
		await updateProfile(as(nobody), { organization: 'Umbrella' });
		expect((await storedFacts(t.db, target.id)).organizations).toBe(3);
		expect(await wrongFacts()).toEqual([]);
		await updateDeployment(as(acme1), d1.id, { nodes: 120, instances: null });
		expect(await storedFacts(t.db, target.id)).toMatchObject({ deployments: 2, nodes: 123, instances: 30 });
		await updateDeployment(as(acme1), d1.id, { name: 'Prod one renamed' });
		expect(await wrongFacts()).toEqual([]);
		await removeDeployment(as(nobody), d3.id);
		expect(await storedFacts(t.db, target.id)).toMatchObject({ deployments: 1, nodes: 120, instances: 0 });
		expect(await wrongFacts()).toEqual([]);

		// Segments: a member's change of segments moves the counts of every need they support.
		await updateProfile(as(acme1), { segments: ['operator', 'vendor'] });
		await updateProfile(as(acme2), { segments: ['developer'] });
		await updateProfile(as(nobody), { segments: [] });
		expect(await storedSegments(t.db, target.id)).toEqual(await liveSegments(t.db, target.id));
		expect(await storedSegments(t.db, target.id)).toContain('vendor:1');
		expect((await getNeedPage(ctxFor(t.db, chair, clock), target.id)).counts.segments).toContainEqual({ segment: 'vendor', count: 1 });
		expect(await wrongFacts()).toEqual([]);

		// Undo the merge, then split.
		await undoMerge(as(chair), merged.merge.id);
		expect(await wrongFacts()).toEqual([]);
		await splitNeed(as(chair), target.id, { title: 'Facts split need', body: '', kind: 'feature', reason: 'Two asks.' });
		await supportNeed(as(globex), target.id, { deploymentId: d2.id });
		await withdrawSupport(as(acme1), source.id);
		expect(await wrongFacts()).toEqual([]);
	});

	it('stay exact when supports change them by difference: shared organizations, evidence swapped, rows on a duplicate', async () => {
		const [a1, a2] = await Promise.all([buildMember(t.db, { organization: 'Hooli' }), buildMember(t.db, { organization: ' HOOLI ' })]);
		const root = await buildNeed(t.db, { group, title: 'Difference root' });
		const dup = await buildNeed(t.db, { group, title: 'Difference duplicate' });
		const big = await addDeployment(as(a1), { name: 'Big', nodes: 500, instances: 9000 });
		const small = await addDeployment(as(a1), { name: 'Small', nodes: 5, instances: 50 });

		// Supported on both before the merge, citing the same deployment: it and the person count once.
		await supportNeed(as(a1), dup.id, { deploymentId: big.id });
		await supportNeed(as(a1), root.id, { deploymentId: big.id });
		await mergeNeed(as(chair), { sourceId: dup.id, targetId: root.id, reason: 'Same.' });
		expect(await storedFacts(t.db, root.id)).toEqual({ supporters: 1, organizations: 1, deployments: 1, nodes: 500, instances: 9000 });
		// New evidence on the root row: the duplicate's row still cites the big one.
		await supportNeed(as(a1), root.id, { deploymentId: small.id });
		expect(await storedFacts(t.db, root.id)).toEqual({ supporters: 1, organizations: 1, deployments: 2, nodes: 505, instances: 9050 });
		await supportNeed(as(a2), root.id, {});
		expect(await storedFacts(t.db, root.id)).toMatchObject({ supporters: 2, organizations: 1 });
		expect(await wrongFacts()).toEqual([]);
		// Withdrawing takes the rows on the root and on the duplicate; the organization stays with a2.
		await withdrawSupport(as(a1), root.id);
		expect(await storedFacts(t.db, root.id)).toEqual({ supporters: 1, organizations: 1, deployments: 0, nodes: 0, instances: 0 });
		expect(await storedFacts(t.db, dup.id)).toEqual({ supporters: 0, organizations: 0, deployments: 0, nodes: 0, instances: 0 });
		await withdrawSupport(as(a2), dup.id);
		expect(await storedFacts(t.db, root.id)).toEqual({ supporters: 0, organizations: 0, deployments: 0, nodes: 0, instances: 0 });
		expect(await wrongFacts()).toEqual([]);
	});

	it('stay exact on a need with many supporters, many of one organization', async () => {
		const crowd = [];
		for (let i = 0; i < 110; i++) crowd.push(await buildMember(t.db, { organization: i % 10 === 0 ? 'Crowd Corp' : `Crowd ${i}` }));
		const popular = await buildNeed(t.db, { group, title: 'Popular need', supporters: crowd });
		const dup = await buildNeed(t.db, { group, title: 'Popular duplicate', duplicateOf: popular });
		const [corp, solo] = await Promise.all([buildMember(t.db, { organization: 'CROWD CORP ' }), buildMember(t.db, { organization: 'Only Here' })]);
		await supportNeed(as(corp), dup.id, {});
		await supportNeed(as(solo), popular.id, {});
		expect(await storedFacts(t.db, popular.id)).toMatchObject({ supporters: 112, organizations: 101 });
		await withdrawSupport(as(corp), popular.id);
		await withdrawSupport(as(solo), popular.id);
		expect(await storedFacts(t.db, popular.id)).toMatchObject({ supporters: 110, organizations: 100 });
		expect(await wrongFacts()).toEqual([]);
	});

	it('stay exact when supports race with organization and deployment changes of the same members', async () => {
		const need = await buildNeed(t.db, { group, title: 'Race need' });
		const members = await Promise.all(
			Array.from({ length: 12 }, (_, i) => buildMember(t.db, { organization: i % 3 === 0 ? 'Race Co' : i % 3 === 1 ? 'race co ' : `Solo ${i}` }))
		);
		const deployments = await Promise.all(members.map((m, i) => addDeployment(as(m), { name: `Race ${i}`, nodes: 10 + i, instances: 100 + i })));
		for (let round = 0; round < 3; round++) {
			await Promise.all(
				members.flatMap((m, i) => [
					(i + round) % 2 === 0 ? supportNeed(as(m), need.id, { deploymentId: i % 4 === 0 ? null : deployments[i].id }) : withdrawSupport(as(m), need.id),
					i % 3 === round % 3
						? updateProfile(as(m), { organization: `Moved ${round} ${i % 2}`, segments: (i + round) % 2 ? ['operator'] : ['end_user', 'security'] })
						: updateDeployment(as(m), deployments[i].id, { nodes: 20 + round + i })
				])
			);
			expect(await wrongFacts()).toEqual([]);
		}
	});
});
