/** A small, believable operators' community for `caucus seed --demo`. Names and organizations are invented. */

export const DEMO_PASSWORD = 'caucus demo password';

export const DEMO_ADMIN = { handle: 'admin', displayName: 'Site Administrator', email: 'admin@demo.caucus.test' };

const FIRST = ['Ana', 'Bjorn', 'Chen', 'Dalia', 'Emeka', 'Fatima', 'Giorgos', 'Hana', 'Ivan', 'Jun', 'Kavya', 'Lars', 'Mei', 'Nadia', 'Omar', 'Priya', 'Quentin', 'Rosa', 'Sven', 'Tomoko', 'Uchenna', 'Valeria', 'Wei', 'Ximena', 'Yusuf', 'Zofia', 'Arjun', 'Beatriz', 'Carlos', 'Dmitri', 'Elif', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jakub', 'Kofi', 'Leila', 'Mateo', 'Noor'];
const LAST = ['Almeida', 'Berg', 'Chen', 'Dubois', 'Eze', 'Farouk', 'Georgiou', 'Hoshino', 'Ivanov', 'Jung', 'Kumar', 'Lindqvist', 'Moreau', 'Novak', 'Okafor', 'Patel', 'Quiroga', 'Rossi', 'Svensson', 'Tanaka'];
const ORGS = ['Nordic Research Cloud', 'Atlas Telecom', 'Helio Hosting', 'Kestrel Bank', 'University of Lakeside', 'Meridian Media', 'Polar Compute', 'Orbit Retail', 'Citadel Gov Cloud', 'Sable Networks'];
const SEGMENT_PLAN = [['operator'], ['operator'], ['operator', 'developer'], ['end_user'], ['operator', 'security'], ['developer'], ['vendor'], ['operator']] as const;
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

export const DEMO_GROUPS = [
	{
		name: 'Large Scale SIG',
		kind: 'sig',
		visibility: 'open',
		summary: 'Operators of clouds with thousands of hypervisors: scaling limits, cells, RabbitMQ, database load.',
		charter:
			'## Mission\n\nHelp operators scale their clouds beyond a few hundred nodes, and turn what we learn into **needs** the developers can act on.\n\n## How we work\n\n- Monthly meeting, notes on the wiki\n- We distil scaling needs every cycle and rank them by ranked ballot\n- Chairs hand the top items upstream at the PTG'
	},
	{
		name: 'Ops Meetups Team',
		kind: 'ops_team',
		visibility: 'open',
		summary: 'Organizes the ops meetups and summit ops tracks; turns session notes into needs.',
		charter: '## Scope\n\nCall for topics, +1 voting, moderators and notes for every ops meetup. Action items from sessions become needs with a link back to the session.'
	},
	{
		name: 'Edge Computing Working Group',
		kind: 'working_group',
		visibility: 'open',
		summary: 'Requirements and reference architectures for small, remote and disconnected sites.',
		charter: 'We collect use cases for edge deployments and maintain reference architectures for far-edge, near-edge and regional sites.'
	},
	{
		name: 'Security SIG',
		kind: 'sig',
		visibility: 'closed',
		summary: 'Vulnerability coordination and hardening guidance. Embargoed work stays within the group until published.',
		charter: '## Confidentiality\n\nReports under embargo are discussed here only. Needs are published once a fix or advisory is out.'
	},
	{
		name: 'User Committee',
		kind: 'committee',
		visibility: 'closed',
		summary: 'Elected representatives of operators and users; runs the user survey and the elections.',
		charter: 'The User Committee represents operators and users, runs the user survey every cycle and oversees the recognition rules and elections.'
	}
] as const;
