import { Presets, SingleBar } from 'cli-progress';
import { countMembers, addDeployment, setAdmin, signUp, updateProfile, type Account } from '#lib/server/modules/members/index.ts';
import { createGroup, joinOpenGroup, requestToJoin, approveRequest, setRole } from '#lib/server/modules/groups/index.ts';
import { toActor } from '#lib/server/modules/members/index.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import { CLI_ACTOR } from './admin.ts';
import { withDatabase } from './database.ts';
import { DEMO_ADMIN, DEMO_GROUPS, DEMO_PASSWORD, demoMembers } from './demo-data.ts';
import { seedDemoNeeds } from './seed-needs.ts';
import { seedDemoPriorities } from './seed-priorities.ts';
import { seedDemoChampions } from './seed-champions.ts';

export const actorOf = (account: Account): Ctx['actor'] => toActor({ id: account.id, handle: account.handle, display_name: account.displayName, is_admin: account.isAdmin }, 'session');

/**
 * Fills an empty database with a small, believable community through the same commands the pages and
 * the API use, so everything seeded is valid and audited like real use.
 */
export async function seedDemo(): Promise<void> {
	await withDatabase(async (_database, ctx) => {
		if ((await countMembers(ctx.db)) > 0) {
			throw new Error('The database already has members; the demo seeds only an empty site. Use a fresh CAUCUS_DATA folder (or database).');
		}
		const bar = new SingleBar({ format: '  {step} [{bar}] {value}/{total}', hideCursor: true }, Presets.shades_classic);
		const as = (account: Account): Ctx => ({ ...ctx, actor: actorOf(account) });

		const profiles = demoMembers(40);
		bar.start(profiles.length + 1, 0, { step: 'members   ' });
		const admin = await signUp(ctx, { ...DEMO_ADMIN, password: DEMO_PASSWORD });
		await setAdmin({ ...ctx, actor: CLI_ACTOR }, { handle: admin.handle, isAdmin: true });
		const adminAccount = { ...admin, isAdmin: true };
		bar.increment();
		const members: Account[] = [];
		for (const profile of profiles) {
			const account = await signUp(ctx, { email: profile.email, handle: profile.handle, displayName: profile.displayName, password: DEMO_PASSWORD });
			await updateProfile(as(account), { displayName: profile.displayName, handle: profile.handle, organization: profile.organization, segments: profile.segments, bio: profile.bio });
			for (const deployment of profile.deployments) await addDeployment(as(account), deployment);
			members.push(account);
			bar.increment();
		}
		bar.stop();

		bar.start(DEMO_GROUPS.length, 0, { step: 'groups    ' });
		const groups: { slug: string; visibility: string; members: Account[] }[] = [];
		for (const [g, spec] of DEMO_GROUPS.entries()) {
			const chair = members[g * 3];
			const group = await createGroup(as(adminAccount), spec);
			await joinOrAdd(as(chair), group.slug, spec.visibility, as(adminAccount), chair.handle);
			await setRole(as(adminAccount), group.slug, chair.handle, { role: 'chair' });
			const joined = [chair];
			for (let i = 0; i < members.length; i++) {
				if ((i + g) % (spec.visibility === 'open' ? 2 : 5) !== 0 || members[i] === chair) continue;
				await joinOrAdd(as(members[i]), group.slug, spec.visibility, as(chair), members[i].handle);
				joined.push(members[i]);
			}
			await setRole(as(chair), group.slug, joined[1].handle, { role: 'moderator' });
			groups.push({ slug: group.slug, visibility: spec.visibility, members: joined });
			bar.increment();
		}
		bar.stop();

		await seedDemoNeeds(ctx, { admin: adminAccount, members, groups, as });
		await seedDemoPriorities(ctx, { admin: adminAccount, groups, as });
		await seedDemoChampions(ctx, { admin: adminAccount, members, groups, as });

		console.log(`\nThe demo community is ready: ${members.length + 1} members, ${groups.length} groups.`);
		console.log(`Sign in as ${DEMO_ADMIN.email} (administrator) or any member, e.g. ${members[0].email}; every password is "${DEMO_PASSWORD}".`);
	});
}

async function joinOrAdd(member: Ctx, slug: string, visibility: string, approver: Ctx, handle: string) {
	if (visibility === 'open') await joinOpenGroup(member, slug);
	else {
		await requestToJoin(member, slug, { message: 'I would like to help.' });
		await approveRequest(approver, slug, handle);
	}
}
