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
			'## Mission\n\nHelp operators scale their clouds beyond a few hundred nodes, and turn what we learn into **needs** the developers can act on.\n\n## How we work\n\n- Monthly meeting, notes on the wiki\n- We distil scaling needs every cycle and rank them by ranked ballot\n- Chairs hand the top items upstream at the PTG'
	},
	{
		name: 'Ops Meetups Team',
		kind: 'ops_team',
		visibility: 'open',
		summary: 'Organizes the ops meetups and summit ops tracks; turns session notes into needs.',
		charter:
			'## Scope\n\nCall for topics, +1 voting, moderators and notes for every ops meetup. Action items from sessions become needs with a link back to the session.'
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

/** The groups module's part of `caucus seed --demo`: five groups, open and closed, with chairs, moderators and members. */
export async function seedDemo(world: DemoWorld): Promise<void> {
	const admin = world.as(world.admin!);
	const { members } = world;
	const bar = world.progress('groups', DEMO_GROUPS.length);
	for (const [g, spec] of DEMO_GROUPS.entries()) {
		const chair = members[g * 3];
		const group = await createGroup(admin, spec);
		await joinOrAdd(world.as(chair), group.slug, spec.visibility, admin, chair.handle);
		await setRole(admin, group.slug, chair.handle, { role: 'chair' });
		const joined: DemoMember[] = [chair];
		for (let i = 0; i < members.length; i++) {
			if ((i + g) % (spec.visibility === 'open' ? 2 : 5) !== 0 || members[i] === chair) continue;
			await joinOrAdd(world.as(members[i]), group.slug, spec.visibility, world.as(chair), members[i].handle);
			joined.push(members[i]);
		}
		await setRole(world.as(chair), group.slug, joined[1].handle, { role: 'moderator' });
		world.groups.push({ slug: group.slug, visibility: spec.visibility, members: joined });
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
