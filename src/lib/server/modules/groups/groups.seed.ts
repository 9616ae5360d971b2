import { approveRequest, createGroup, joinOpenGroup, requestToJoin, setRole } from './groups.commands.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import type { DemoMember, DemoWorld } from '#lib/server/platform/module.ts';

export const DEMO_GROUPS = [
	{
		name: 'Large Scale SIG',
		kind: 'sig',
		visibility: 'open',
		summary: 'Operators of clouds with thousands of hypervisors: scaling limits, cells, RabbitMQ, database load.',
		charter:
			'## Mission\n\nHelp operators scale their clouds beyond a few hundred nodes, and turn what we learn into **needs** the developers can act on.\n\n## How we work\n\n- Meeting every other Wednesday at 15:00 UTC, notes on the wiki\n- We distil scaling needs every cycle and rank them by ranked ballot\n- Chairs hand the top items upstream before the PTG and follow them there'
	},
	{
		name: 'Public Cloud SIG',
		kind: 'sig',
		visibility: 'open',
		summary: 'Providers who sell OpenStack to the public: billing, quotas, self-service, multi-tenancy at scale.',
		charter:
			'## Scope\n\nWhat public cloud providers need from OpenStack that private clouds do not: accurate usage data for billing, quota and abuse handling, customer-facing APIs that stay stable across upgrades.\n\n## Ranking\n\nWe rank our accepted needs once per cycle; every provider gets one ballot per member.'
	},
	{
		name: 'Edge WG',
		kind: 'working_group',
		visibility: 'open',
		summary: 'Edge Computing Working Group: small, remote and sometimes disconnected sites, from cell towers to shops.',
		charter:
			'We collect use cases for edge deployments (far edge, near edge, regional sites) and maintain reference architectures. Needs here usually come from sites with two to ten nodes, a thin uplink and nobody on site.'
	},
	{
		name: 'Ops Meetups Team',
		kind: 'ops_team',
		visibility: 'open',
		summary: 'Organizes the ops meetups and the summit ops track; turns session notes into needs.',
		charter:
			'## Scope\n\nCall for topics, +1 voting, moderators and notes for every ops meetup. Action items from sessions become needs here, with a link back to the session etherpad.'
	},
	{
		name: 'Security SIG',
		kind: 'sig',
		visibility: 'closed',
		summary: 'Vulnerability coordination and hardening guidance. Embargoed work stays within the group until published.',
		charter: '## Confidentiality\n\nReports under embargo are discussed here only. Needs are published once a fix or an advisory is out.'
	},
	{
		name: 'User Committee',
		kind: 'committee',
		visibility: 'closed',
		summary: 'Elected representatives of operators and users; runs the user survey and the elections.',
		charter: 'The User Committee represents operators and users, runs the user survey every cycle and oversees the recognition rules and elections.'
	}
] as const;

/** The groups module's part of `caucus seed --demo`: six groups, open and closed, with chairs, moderators and members, founded eight months ago. */
export async function seedDemo(world: DemoWorld): Promise<void> {
	const { members } = world;
	const bar = world.progress('groups', DEMO_GROUPS.length);
	for (const [g, spec] of DEMO_GROUPS.entries()) {
		// Everyone has joined the site by then; each group fills up over its first weeks.
		const founded = 250 - g * 2;
		const at = (k: number) => world.daysAgo(founded - 1 - k * 0.4);
		const admin = world.as(world.admin!, world.daysAgo(founded));
		const chair = members[g * 3];
		const group = await createGroup(admin, spec);
		await joinOrAdd(world.as(chair, at(0)), group.slug, spec.visibility, world.as(world.admin!, at(0.5)), chair.handle);
		await setRole(world.as(world.admin!, at(1)), group.slug, chair.handle, { role: 'chair' });
		const joined: DemoMember[] = [chair];
		for (let i = 0; i < members.length; i++) {
			if ((i + g) % (spec.visibility === 'open' ? 2 : 5) !== 0 || members[i] === chair) continue;
			await joinOrAdd(world.as(members[i], at(i + 2)), group.slug, spec.visibility, world.as(chair, at(i + 2.5)), members[i].handle);
			joined.push(members[i]);
		}
		await setRole(world.as(chair, at(members.length + 3)), group.slug, joined[1].handle, { role: 'moderator' });
		world.groups.push({ id: group.id, slug: group.slug, name: group.name, visibility: spec.visibility, members: joined });
		bar.tick();
	}
	bar.done();
}

async function joinOrAdd(member: Ctx, slug: string, visibility: string, approver: Ctx, handle: string) {
	if (visibility === 'open') await joinOpenGroup(member, slug);
	else {
		await requestToJoin(member, slug, { message: 'I would like to help.' });
		await approveRequest(approver, slug, handle);
	}
}
