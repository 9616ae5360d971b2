import { createCycle } from '#lib/server/modules/cycles/index.ts';
import { castBallot, closeRound, eligibleNeeds, openRound, publishList } from '#lib/server/modules/priorities/index.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import type { DemoMember, DemoWorld } from '#lib/server/platform/module.ts';

type Seeded = Pick<DemoWorld, 'groups' | 'as' | 'daysAgo'> & { admin: DemoMember };

/**
 * Two cycles, a round of the first open group (the Large Scale SIG) ranked over two weeks in the autumn,
 * closed and published ten weeks before the seed (so /priorities has a list to read, with its three orders,
 * and its top needs have had time to go upstream), and a round the second open group opened this week (so
 * members have something to rank). Everything goes through the commands at the time it happened.
 */
/** This module's part of `caucus seed --demo`. */
export const seedDemo = (world: DemoWorld) => seedDemoPriorities(world.ctx, { ...world, admin: world.admin! });

async function seedDemoPriorities(ctx: Ctx, { admin, groups, as, daysAgo }: Seeded): Promise<void> {
	const asAdmin = as(admin, daysAgo(245));
	await createCycle(asAdmin, { slug: '2026.2', name: '2026.2 (Gazpacho)', startsOn: '2026-07-01', endsOn: '2026-12-31' });
	await createCycle(asAdmin, { slug: '2027.1', name: '2027.1 (Hibiscus)', startsOn: '2027-01-01', endsOn: '2027-06-30' });

	const open = groups.filter((g) => g.visibility === 'open');
	const [published, ongoing] = open;
	if (published) await rankAndPublish(ctx, published, as, daysAgo, 6, '2026.2');
	if (ongoing) await rankOnly(ctx, ongoing, as, daysAgo, 5, '2027.1');
}

async function candidatesOf(ctx: Ctx, slug: string, count: number) {
	const group = await ctx.db.selectFrom('group').select(['id', 'name']).where('slug', '=', slug).executeTakeFirstOrThrow();
	return { group, needs: (await eligibleNeeds(ctx, group.id)).slice(0, count).map((n) => n.id) };
}

/**
 * A believable spread of ballots: each voter starts from the group's shared view and moves a few needs,
 * some tie two needs, and some rank only their top three (the rest count as below all they ranked).
 */
function ballotOf(voter: number, needs: number[]): number[][] {
	const noise = (i: number) => ((Math.imul(voter + 1, 2654435761) ^ Math.imul(i + 1, 40503)) >>> 0) % 5;
	const key = (id: number) => needs.indexOf(id) + noise(needs.indexOf(id)) * 0.9;
	const tiers = [...needs].sort((a, b) => key(a) - key(b)).map((id) => [id]);
	if (voter % 3 === 1 && tiers.length > 2) tiers.splice(1, 2, [...tiers[1], ...tiers[2]]);
	return voter % 4 === 3 ? tiers.slice(0, 3) : tiers;
}

async function rankAndPublish(ctx: Ctx, group: Seeded['groups'][number], as: Seeded['as'], daysAgo: Seeded['daysAgo'], count: number, cycle: string) {
	const { group: row, needs } = await candidatesOf(ctx, group.slug, count);
	if (needs.length < 2) return;
	const chair = group.members[0];
	const round = await openRound(as(chair, daysAgo(84)), group.slug, { cycle, title: `${row.name} priorities ${cycle}`, candidates: needs });
	const voters = group.members.slice(0, Math.min(group.members.length, 12));
	for (const [v, voter] of voters.entries()) await castBallot(as(voter, daysAgo(83 - v)), round.id, { ranking: ballotOf(v, needs) });
	await closeRound(as(chair, daysAgo(70)), round.id);
	await publishList(as(chair, daysAgo(69.9)), round.id, { note: 'Agreed at the SIG meeting; the top three go to the PTG.' });
}

async function rankOnly(ctx: Ctx, group: Seeded['groups'][number], as: Seeded['as'], daysAgo: Seeded['daysAgo'], count: number, cycle: string) {
	const { group: row, needs } = await candidatesOf(ctx, group.slug, count);
	if (needs.length < 2) return;
	const round = await openRound(as(group.members[0], daysAgo(4)), group.slug, { cycle, title: `${row.name} priorities ${cycle}`, candidates: needs });
	for (const [v, voter] of group.members.slice(1, 5).entries()) await castBallot(as(voter, daysAgo(3.5 - v * 0.7)), round.id, { ranking: ballotOf(v, needs) });
}
