import { Presets, SingleBar } from 'cli-progress';
import { actorOfDemoMember, DEMO_ADMIN, DEMO_PASSWORD } from '#lib/server/modules/members/index.ts';
import { modules } from '#lib/server/modules.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import type { DemoWorld } from '#lib/server/platform/module.ts';
import { withDatabase } from './database.ts';

const DAY = 86_400_000;

/**
 * Runs every module's demo seed in the composition root's order, through the same commands the pages and
 * the API use, so everything seeded is valid and audited like real use. Seeds pass time with
 * `world.as(member, at)`: the demo's history spreads over the months before `ctx.now()`.
 */
export async function runDemoSeeds(ctx: Ctx, progress: DemoWorld['progress'] = () => ({ tick() {}, done() {} })): Promise<DemoWorld> {
	const start = ctx.now().getTime();
	const world: DemoWorld = {
		ctx,
		as: (member, at) => ({
			...ctx,
			actor: actorOfDemoMember(member),
			...(at ? { now: () => (at.getTime() > start ? new Date(start) : at) } : {})
		}),
		daysAgo: (days) => new Date(start - Math.round(days * DAY)),
		admin: null,
		members: [],
		groups: [],
		progress
	};
	for (const module of modules) {
		if (!module.demoSeed) continue;
		const seed = await module.demoSeed();
		await seed(world);
	}
	return world;
}

/**
 * `caucus seed --demo`: a small, believable community. A site that has only its administrators (made
 * through /setup, as the README says) can be seeded; one with other members cannot.
 */
export async function seedDemo(): Promise<void> {
	await withDatabase(async (_database, ctx) => {
		const world = await runDemoSeeds(ctx, (step, total) => {
			const bar = new SingleBar({ format: '  {step} [{bar}] {value}/{total}', hideCursor: true }, Presets.shades_classic);
			bar.start(total, 0, { step: step.padEnd(10) });
			return { tick: () => bar.increment(), done: () => bar.stop() };
		});
		const admin = world.admin!;
		console.log(`\nThe demo community is ready: ${world.members.length + 1} members, ${world.groups.length} groups.`);
		const members = `any member, e.g. ${world.members[0].email}, with the password "${DEMO_PASSWORD}"`;
		if (admin.email === DEMO_ADMIN.email) console.log(`Sign in as ${admin.email} (administrator, same password) or ${members}.`);
		else console.log(`Sign in as ${admin.email} (administrator, with the password you chose) or ${members}.`);
		const chair = world.groups[0]?.members[0];
		if (chair) console.log(`${chair.email} chairs ${world.groups[0].name}: sign in as them to hand a need upstream into the sandbox tracker.`);
	});
}
