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
/**
 * Invented organizations, each with the clouds its operators list as deployments (sizes in the range the
 * public OpenStack user surveys report: a research cloud of a hundred nodes, a telecom core of thousands).
 */
const ORGS = [
	{
		name: 'Nordic Research Cloud',
		kind: 'research cloud',
		deployments: [
			{ name: 'NRC production', nodes: 640, instances: 14_200, releases: ['2025.1'], region: 'fi-north', extra: ['ironic', 'octavia'] },
			{ name: 'NRC GPU partition', nodes: 72, instances: 380, releases: ['2025.2'], region: 'fi-north', extra: ['placement'] }
		]
	},
	{
		name: 'Atlas Telecom',
		kind: 'telecom network cloud',
		deployments: [
			{ name: 'Atlas 5G core (3 regions)', nodes: 2_300, instances: 21_500, releases: ['2024.2'], region: 'eu-central', extra: ['octavia', 'placement'] },
			{ name: 'Atlas far edge (212 sites)', nodes: 850, instances: 3_100, releases: ['2024.2'], region: 'eu-central', extra: ['placement'] }
		]
	},
	{
		name: 'Helio Hosting',
		kind: 'public cloud',
		deployments: [
			{ name: 'Helio Cloud FRA1', nodes: 1_850, instances: 62_000, releases: ['2025.1'], region: 'eu-west', extra: ['octavia', 'horizon', 'heat'] },
			{ name: 'Helio Cloud AMS1', nodes: 1_100, instances: 35_400, releases: ['2024.2', '2025.1'], region: 'eu-west', extra: ['octavia', 'horizon'] }
		]
	},
	{
		name: 'Kestrel Bank',
		kind: 'private cloud',
		deployments: [
			{ name: 'Kestrel private cloud (two data centres)', nodes: 420, instances: 9_600, releases: ['2024.1'], region: 'uk-south', extra: ['octavia'] }
		]
	},
	{
		name: 'University of Lakeside',
		kind: 'university research cloud',
		deployments: [{ name: 'Lakeside research computing', nodes: 96, instances: 1_800, releases: ['2025.2'], region: 'us-east', extra: ['horizon', 'heat'] }]
	},
	{
		name: 'Meridian Media',
		kind: 'media company’s private cloud',
		deployments: [{ name: 'Meridian render farm', nodes: 310, instances: 7_200, releases: ['2025.1'], region: 'us-west', extra: ['ironic'] }]
	},
	{
		name: 'Polar Compute',
		kind: 'HPC cloud',
		deployments: [{ name: 'Polar bare-metal HPC', nodes: 1_120, instances: 1_150, releases: ['2025.1'], region: 'ca-central', extra: ['ironic', 'placement'] }]
	},
	{
		name: 'Orbit Retail',
		kind: 'retail edge cloud',
		deployments: [
			{ name: 'Orbit in-store edge (400 stores)', nodes: 1_200, instances: 4_800, releases: ['2024.1'], region: 'us-central', extra: ['placement'] }
		]
	},
	{
		name: 'Citadel Gov Cloud',
		kind: 'sovereign government cloud',
		deployments: [{ name: 'Citadel sovereign cloud', nodes: 760, instances: 18_300, releases: ['2024.2'], region: 'eu-south', extra: ['octavia', 'horizon'] }]
	},
	{ name: 'Sable Networks', kind: 'OpenStack distribution vendor', deployments: [] }
] as const;
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
const BASE_COMPONENTS = ['nova', 'neutron', 'cinder', 'keystone', 'glance'];

const pick = <T>(items: readonly T[], i: number) => items[i % items.length];

function bioOf(segments: readonly string[], org: (typeof ORGS)[number], i: number): string {
	if (segments.includes('security')) return `Security and compliance for the ${org.kind} at ${org.name}; patches, audits and the odd embargo.`;
	if (segments.includes('developer') && segments.includes('operator'))
		return `Operator who codes: runs the ${org.kind} at ${org.name} and sends the fixes we need upstream.`;
	if (segments.includes('operator'))
		return pick(
			[
				`On call for the ${org.kind} at ${org.name}. Happy to share runbooks.`,
				`Leads the compute team of the ${org.kind} at ${org.name}; upgrades every year, one release at a time.`,
				`Networking and storage for the ${org.kind} at ${org.name}.`,
				`Capacity planning and upgrades at ${org.name}. Ask me about cells.`
			],
			i
		);
	if (segments.includes('developer')) return `Core reviewer upstream, working for ${org.name}; here to hear what operators need before the PTG.`;
	if (segments.includes('vendor')) return `Product manager at ${org.name}; relays what our customers ask for.`;
	return `Builds on the cloud as a user at ${org.name}: CI pipelines, Terraform, Kubernetes clusters.`;
}

export function demoMembers(count: number) {
	const listed = new Set<string>();
	return Array.from({ length: count }, (_, i) => {
		const first = pick(FIRST, i);
		const last = pick(LAST, i * 7 + 3);
		const handle = `${first}-${last}`.toLowerCase().replace(/[^a-z0-9-]/g, '') + (i >= FIRST.length ? `-${i}` : '');
		const segments = [...pick(SEGMENT_PLAN, i)];
		const org = pick(ORGS, i * 3 + 1);
		// Each of an organization's clouds is listed once, by the first of its operators to join: supporters
		// citing one cloud twice would count its nodes twice.
		const deployments = segments.includes('operator')
			? org.deployments
					.filter((d) => !listed.has(d.name))
					.slice(0, 1)
					.map((d) => {
						listed.add(d.name);
						return {
							name: d.name,
							nodes: d.nodes,
							instances: d.instances,
							releases: [...d.releases],
							components: [...BASE_COMPONENTS, ...d.extra],
							region: d.region
						};
					})
			: [];
		return {
			handle,
			displayName: `${first} ${last}`,
			email: `${handle}@demo.caucus.test`,
			organization: org.name,
			segments,
			bio: bioOf(segments, org, i),
			deployments
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
		const founded = world.daysAgo(430);
		const admin = await signUp({ ...ctx, now: () => founded }, { ...DEMO_ADMIN, password: DEMO_PASSWORD });
		await setAdmin({ ...ctx, actor: CLI_ACTOR, now: () => founded }, { handle: admin.handle, isAdmin: true });
		world.admin = { ...demoMemberOf(admin), isAdmin: true };
	}
	bar.tick();
	for (const [i, profile] of profiles.entries()) {
		// Members joined over the year before the seed, a few a week.
		const joined = world.daysAgo(400 - i * 4);
		const account = demoMemberOf(
			await signUp({ ...ctx, now: () => joined }, { email: profile.email, handle: profile.handle, displayName: profile.displayName, password: DEMO_PASSWORD })
		);
		const as = world.as(account, new Date(joined.getTime() + 3_600_000));
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
