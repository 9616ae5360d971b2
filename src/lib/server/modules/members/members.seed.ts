import { addDeployment, setAdmin, signUp, updateProfile } from './members.commands.ts';
import { countMembers, toActor, type Account } from './members.queries.ts';
import type { DemoMember, DemoWorld } from '#lib/server/platform/module.ts';
import { CLI_ACTOR } from '#lib/server/platform/context.ts';

/** A small, believable operators' community for `caucus seed --demo`. Names and organizations are invented. */

export const DEMO_PASSWORD = 'caucus demo password';

export const DEMO_ADMIN = { handle: 'admin', displayName: 'Site Administrator', email: 'admin@demo.caucus.test' };

const FIRST = [
	'Ana',
	'Bjorn',
	'Chen',
	'Dalia',
	'Emeka',
	'Fatima',
	'Giorgos',
	'Hana',
	'Ivan',
	'Jun',
	'Kavya',
	'Lars',
	'Mei',
	'Nadia',
	'Omar',
	'Priya',
	'Quentin',
	'Rosa',
	'Sven',
	'Tomoko',
	'Uchenna',
	'Valeria',
	'Wei',
	'Ximena',
	'Yusuf',
	'Zofia',
	'Arjun',
	'Beatriz',
	'Carlos',
	'Dmitri',
	'Elif',
	'Farid',
	'Greta',
	'Hiro',
	'Ines',
	'Jakub',
	'Kofi',
	'Leila',
	'Mateo',
	'Noor'
];
const LAST = [
	'Almeida',
	'Berg',
	'Chen',
	'Dubois',
	'Eze',
	'Farouk',
	'Georgiou',
	'Hoshino',
	'Ivanov',
	'Jung',
	'Kumar',
	'Lindqvist',
	'Moreau',
	'Novak',
	'Okafor',
	'Patel',
	'Quiroga',
	'Rossi',
	'Svensson',
	'Tanaka'
];
const ORGS = [
	'Nordic Research Cloud',
	'Atlas Telecom',
	'Helio Hosting',
	'Kestrel Bank',
	'University of Lakeside',
	'Meridian Media',
	'Polar Compute',
	'Orbit Retail',
	'Citadel Gov Cloud',
	'Sable Networks'
];
const SEGMENT_PLAN = [
	['operator'],
	['operator'],
	['operator', 'developer'],
	['end_user'],
	['operator', 'security'],
	['developer'],
	['vendor'],
	['operator']
] as const;
const REGIONS = ['eu-north', 'eu-west', 'us-east', 'us-west', 'ap-southeast', 'sa-east'];
const RELEASES = ['2024.1', '2024.2', '2025.1', '2025.2', '2026.1'];
const COMPONENTS = ['nova', 'neutron', 'cinder', 'keystone', 'glance', 'octavia', 'ironic', 'placement', 'horizon', 'heat'];

const pick = <T>(items: readonly T[], i: number) => items[i % items.length];

export function demoMembers(count: number) {
	return Array.from({ length: count }, (_, i) => {
		const first = pick(FIRST, i);
		const last = pick(LAST, i * 7 + 3);
		const handle = `${first}-${last}`.toLowerCase().replace(/[^a-z0-9-]/g, '') + (i >= FIRST.length ? `-${i}` : '');
		const segments = [...pick(SEGMENT_PLAN, i)];
		const operates = segments.includes('operator');
		return {
			handle,
			displayName: `${first} ${last}`,
			email: `${handle}@demo.caucus.test`,
			organization: pick(ORGS, i * 3 + 1),
			segments,
			bio: operates ? `Runs production clouds at ${pick(ORGS, i * 3 + 1)}. Happy to share runbooks.` : '',
			deployments: operates
				? [
						{
							name: `${pick(REGIONS, i)} production`,
							nodes: 40 + ((i * 137) % 1800),
							instances: 900 + ((i * 7919) % 45_000),
							releases: [pick(RELEASES, i), pick(RELEASES, i + 1)],
							components: [pick(COMPONENTS, i), pick(COMPONENTS, i + 1), pick(COMPONENTS, i + 2), 'keystone'],
							region: pick(REGIONS, i)
						}
					]
				: []
		};
	});
}

export const demoMemberOf = (account: Account): DemoMember => ({
	id: account.id,
	handle: account.handle,
	email: account.email,
	displayName: account.displayName,
	isAdmin: account.isAdmin
});

/**
 * The members module's part of `caucus seed --demo`: the administrator (or the administrators the site
 * already has, made as the README says: `/setup` first) and 40 members with profiles and deployments.
 */
export async function seedDemo(world: DemoWorld): Promise<void> {
	const { ctx } = world;
	const admins = await ctx.db
		.selectFrom('member')
		.select(['id', 'handle', 'email', 'display_name as displayName', 'is_admin as isAdmin'])
		.where('is_admin', '=', true)
		.orderBy('id')
		.execute();
	if ((await countMembers(ctx.db)) > admins.length) {
		throw new Error(
			'The database already has members; the demo seeds only a site with nothing but its administrators. Use a fresh CAUCUS_DATA folder (or database).'
		);
	}
	const profiles = demoMembers(40);
	const bar = world.progress('members', profiles.length + 1);
	if (admins.length) world.admin = admins[0];
	else {
		const admin = await signUp(ctx, { ...DEMO_ADMIN, password: DEMO_PASSWORD });
		await setAdmin({ ...ctx, actor: CLI_ACTOR }, { handle: admin.handle, isAdmin: true });
		world.admin = { ...demoMemberOf(admin), isAdmin: true };
	}
	bar.tick();
	for (const profile of profiles) {
		const account = demoMemberOf(
			await signUp(ctx, { email: profile.email, handle: profile.handle, displayName: profile.displayName, password: DEMO_PASSWORD })
		);
		const as = world.as(account);
		await updateProfile(as, {
			displayName: profile.displayName,
			handle: profile.handle,
			organization: profile.organization,
			segments: profile.segments,
			bio: profile.bio
		});
		for (const deployment of profile.deployments) await addDeployment(as, deployment);
		world.members.push(account);
		bar.tick();
	}
	bar.done();
}

/** How a demo member acts: as if signed in. */
export const actorOfDemoMember = (member: DemoMember) =>
	toActor({ id: member.id, handle: member.handle, display_name: member.displayName, is_admin: member.isAdmin }, 'session');
