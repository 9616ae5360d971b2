import { recordActivity } from '#lib/server/platform/activity.ts';
import { inTransaction, type Ctx } from '#lib/server/platform/context.ts';
import { conflict, isUniqueViolation, notFound, parseInput } from '#lib/server/platform/errors.ts';
import { requireManageCycles } from './cycles.policy.ts';
import { toCycle, type Cycle } from './cycles.queries.ts';
import { cycleInput, cycleUpdateInput, type CycleInput, type CycleUpdateInput } from './cycles.schemas.ts';

const taken = (slug: string) => conflict(`There is already a cycle ${slug}.`, { slug: `${slug} is taken.` });

/** Adds a cycle (site administrators). The name defaults to the slug. */
export async function createCycle(ctx: Ctx, input: CycleInput): Promise<Cycle> {
	requireManageCycles(ctx.actor);
	const data = parseInput(cycleInput, input);
	try {
		return await inTransaction(ctx, async (tx) => {
			const row = await tx.db
				.insertInto('cycle')
				.values({ slug: data.slug, name: data.name ?? data.slug, starts_on: data.startsOn, ends_on: data.endsOn, created_at: tx.now() })
				.returningAll()
				.executeTakeFirstOrThrow();
			await recordActivity(tx, {
				action: 'cycle.created',
				subjectType: 'cycle',
				subjectId: row.id,
				data: { slug: row.slug, startsOn: row.starts_on, endsOn: row.ends_on }
			});
			return toCycle(row);
		});
	} catch (error) {
		if (isUniqueViolation(error)) throw taken(data.slug);
		throw error;
	}
}

/** Changes a cycle's slug, name or dates (site administrators). Rounds and lists keep pointing at it by id. */
export async function updateCycle(ctx: Ctx, slug: string, input: CycleUpdateInput): Promise<Cycle> {
	requireManageCycles(ctx.actor);
	const data = parseInput(cycleUpdateInput, input);
	try {
		return await inTransaction(ctx, async (tx) => {
			const before = await tx.db.selectFrom('cycle').selectAll().where('slug', '=', slug).forUpdate().executeTakeFirst();
			if (!before) throw notFound('The cycle');
			const row = await tx.db
				.updateTable('cycle')
				.set({ slug: data.slug, name: data.name ?? data.slug, starts_on: data.startsOn, ends_on: data.endsOn })
				.where('id', '=', before.id)
				.returningAll()
				.executeTakeFirstOrThrow();
			await recordActivity(tx, {
				action: 'cycle.updated',
				subjectType: 'cycle',
				subjectId: row.id,
				data: {
					before: { slug: before.slug, name: before.name, startsOn: before.starts_on, endsOn: before.ends_on },
					after: { slug: row.slug, name: row.name, startsOn: row.starts_on, endsOn: row.ends_on }
				}
			});
			return toCycle(row);
		});
	} catch (error) {
		if (isUniqueViolation(error)) throw taken(data.slug);
		throw error;
	}
}
