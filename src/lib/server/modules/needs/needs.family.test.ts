import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { buildNeed } from './needs.factories.ts';
import { deploymentWeight, deploymentWeightSql, familyDeploymentScore, familySupportColumn } from './needs.supports.ts';

/*
 * A need's family and the deployment weight have one home (needs.supports.ts); the SQL twins there agree
 * with the JavaScript and with the family as the commands count it.
 */

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(async () => {
	await t.close();
});

describe('the family and the deployment weight', () => {
	it('weighs a deployment in SQL as deploymentWeight does', async () => {
		for (const nodes of [null, 0, 1, 3, 7, 1000, 123456]) {
			const row = await sql<{ w: number }>`select ${deploymentWeightSql(sql`${nodes}::int`)}::float8 as w`.execute(t.db);
			expect(Number(row.rows[0].w)).toBeCloseTo(deploymentWeight(nodes), 10);
		}
	});

	it('counts a family’s supporters and deployments over the need and its duplicates', async () => {
		const [a, b, c] = await Promise.all([buildMember(t.db), buildMember(t.db), buildMember(t.db)]);
		const deployment = async (member: { id: number }, nodes: number | null) =>
			(
				await t.db
					.insertInto('deployment')
					.values({
						member_id: member.id,
						name: `Cloud ${member.id}-${nodes}`,
						nodes,
						instances: null,
						region: null,
						created_at: new Date(),
						updated_at: new Date()
					})
					.returning('id')
					.executeTakeFirstOrThrow()
			).id;
		const [d3, d1000] = [await deployment(a, 3), await deployment(b, 1000)];
		const root = await buildNeed(t.db);
		const duplicate = await buildNeed(t.db, { duplicateOf: root });
		const other = await buildNeed(t.db);
		const support = (need: { id: number }, member: { id: number }, deploymentId: number | null) =>
			t.db
				.insertInto('support')
				.values({ need_id: need.id, member_id: member.id, deployment_id: deploymentId, impact: null, created_at: new Date() })
				.execute();
		await support(root, a, d3);
		await support(duplicate, a, d3);
		await support(duplicate, b, d1000);
		await support(other, c, null);
		const members = await sql<{ member_id: number }>`${familySupportColumn(sql`${root.id}::bigint`, 'member_id')}`.execute(t.db);
		expect(members.rows.map((r) => Number(r.member_id)).sort()).toEqual([a.id, a.id, b.id].sort());
		const distinct = await sql<{ member_id: number }>`${familySupportColumn(sql`${root.id}::bigint`, 'member_id', { distinct: true })}`.execute(t.db);
		expect(distinct.rows).toHaveLength(2);
		const score = await sql<{ score: number }>`select ${familyDeploymentScore(sql`${root.id}::bigint`)} as score`.execute(t.db);
		expect(Number(score.rows[0].score)).toBeCloseTo(deploymentWeight(3) + deploymentWeight(1000), 10);
		const none = await sql<{ score: number }>`select ${familyDeploymentScore(sql`${other.id}::bigint`)} as score`.execute(t.db);
		expect(Number(none.rows[0].score)).toBe(0);
	});
});
