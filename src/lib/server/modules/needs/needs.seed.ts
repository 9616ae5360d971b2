import { listDeployments } from '#lib/server/modules/members/index.ts';
import { addComment, changeStatus, createComponent, fileNeed, mergeNeed, publishNeed, refreshTrending, supportNeed } from '#lib/server/modules/needs/index.ts';
import type { DemoWorld } from '#lib/server/platform/module.ts';

const COMPONENTS = [
	['nova', 'Nova (compute)'],
	['neutron', 'Neutron (networking)'],
	['cinder', 'Cinder (block storage)'],
	['keystone', 'Keystone (identity)'],
	['glance', 'Glance (images)'],
	['octavia', 'Octavia (load balancing)'],
	['ironic', 'Ironic (bare metal)'],
	['placement', 'Placement'],
	['horizon', 'Horizon (dashboard)'],
	['heat', 'Heat (orchestration)'],
	['oslo-messaging', 'oslo.messaging / RabbitMQ'],
	['docs', 'Documentation']
] as const;

const SUBJECTS: Record<string, string[]> = {
	nova: ['live migration', 'cold migration', 'NUMA pinning', 'the scheduler', 'cells v2', 'instance evacuation', 'vGPU instances', 'server groups'],
	neutron: ['OVN metadata', 'L3 agent failover', 'security group updates', 'DHCP agents', 'port binding', 'floating IPs'],
	cinder: ['volume multi-attach', 'backup to object storage', 'volume retype', 'Ceph RBD snapshots'],
	keystone: ['application credentials', 'federated login', 'token revocation', 'LDAP group sync'],
	glance: ['image import', 'multi-store images', 'image caching'],
	octavia: ['amphora failover', 'TLS termination', 'provider drivers'],
	ironic: ['node cleaning', 'firmware updates', 'BMC credentials rotation'],
	placement: ['allocation candidates', 'resource provider inventories'],
	horizon: ['the instance list', 'quota pages'],
	heat: ['stack updates', 'nested stacks'],
	'oslo-messaging': ['RabbitMQ quorum queues', 'reconnects after a broker restart'],
	docs: ['the upgrade guide', 'the operations guide', 'the cells v2 guide']
};
const SYMPTOMS = [
	['fails with a timeout at', 'bug'],
	['is far too slow at', 'pain_point'],
	['needs a dry-run mode for', 'feature'],
	['loses state on upgrade at', 'bug'],
	['has no metrics for', 'operations'],
	['should expose an admin API for', 'feature'],
	['is undocumented for', 'documentation'],
	['floods the logs at', 'operations']
] as const;
const SCALES = ['500 hypervisors', '2,000 nodes', '10k instances', 'a busy region', 'edge sites', 'multi-region clouds'];
const RELEASES = ['2024.1', '2024.2', '2025.1', '2025.2', '2026.1'];
const COMMENTS = [
	'We hit this too after upgrading; the workaround from the mailing list helps but is fragile.',
	'Same here. In our case it only happens under load, above roughly **300 concurrent requests**.',
	'Could the upstream team confirm whether this is planned for the next cycle?',
	'We wrote a small script to detect it early; happy to share it if it helps.',
	'+1, this is our top pain point this cycle.',
	'Is there a bug report upstream already? Linking it would help triage.'
];

const pick = <T>(items: readonly T[], i: number) => items[i % items.length];

/** A few hundred needs with supports, evidence, comments, triage, merges and a closed group's work. */
export async function seedDemo(world: DemoWorld, count = 300): Promise<void> {
	const { ctx, members, groups, as } = world;
	const admin = world.admin!;
	const asAdmin = as(admin);
	for (const [slug, name] of COMPONENTS) await createComponent(asAdmin, { slug, name });

	const groupIds = new Map<string, number>();
	for (const g of groups) {
		const row = await ctx.db.selectFrom('group').select('id').where('slug', '=', g.slug).executeTakeFirstOrThrow();
		groupIds.set(g.slug, row.id);
	}
	const deployments = new Map<number, number[]>();
	for (const member of members)
		deployments.set(
			member.id,
			(await listDeployments(ctx, member.id)).map((d) => d.id)
		);

	const bar = world.progress('needs', count);
	const filed: { id: number; group: DemoWorld['groups'][number] | null; title: string }[] = [];
	for (let i = 0; i < count; i++) {
		const [component] = pick(COMPONENTS, i * 5 + (i >> 3));
		const subject = pick(SUBJECTS[component], i);
		const [symptom, kind] = pick(SYMPTOMS, i * 3 + (i >> 2));
		const title = `${component === 'docs' ? 'Documentation' : subject[0].toUpperCase() + subject.slice(1)} ${symptom} ${pick(SCALES, i)}`;
		// A quarter of the needs belong to a group; the Security SIG's stay closed until published.
		const group = i % 4 === 0 ? pick(groups, i / 4) : null;
		const author = group ? pick(group.members, i) : pick(members, i * 7);
		const channel = pick(['direct', 'direct', 'direct', 'mailing_list', 'session', 'survey', 'vendor_relay'] as const, i);
		const need = await fileNeed(as(author), {
			title,
			body: `We run ${pick(SCALES, i + 1)} on ${pick(RELEASES, i)}. ${subject[0].toUpperCase() + subject.slice(1)} ${symptom} scale.\n\n**Impact:** operators have to intervene by hand.\n\n**What would help:** ${kind === 'documentation' ? 'a worked example in the guide' : 'a fix or a supported workaround upstream'}.`,
			kind,
			components: component === 'docs' ? ['docs'] : [component],
			tags: [pick(['scale', 'upgrade', 'ha', 'observability', 'security'], i)],
			releases: [pick(RELEASES, i), pick(RELEASES, i + 2)],
			groupId: group ? groupIds.get(group.slug) : null,
			sourceChannel: channel,
			sourceUrl:
				channel === 'mailing_list'
					? `https://lists.example.org/archives/operators/2026-${String((i % 12) + 1).padStart(2, '0')}/msg${1000 + i}.html`
					: channel === 'session'
						? `https://meetups.example.org/2026/sessions/${i}`
						: null,
			sourceNote: channel === 'vendor_relay' ? 'Relayed for a telecom customer' : null
		});
		filed.push({ id: need.id, group, title });

		// Popularity falls off like real boards: a few needs gather most of the support.
		const supporters = Math.max(0, Math.round(members.length / (1 + (i % 37)) - 1));
		const pool = group && group.visibility === 'closed' ? group.members : members;
		for (let s = 0; s < Math.min(supporters, pool.length); s++) {
			const member = pool[(i * 11 + s * 7) % pool.length];
			if (member.id === author.id) continue;
			const own = deployments.get(member.id) ?? [];
			await supportNeed(
				as(member),
				need.id,
				s % 3 === 0 && own.length
					? { deploymentId: own[0], impact: pick(['Blocks our next upgrade.', 'Costs us a day per week.', 'Customer-visible outages.'], s) }
					: {}
			);
		}
		for (let c = 0; c < i % 4; c++) await addComment(as(pool[(i + c * 5) % pool.length]), need.id, { body: pick(COMMENTS, i + c) });
		bar.tick();
	}
	bar.done();

	// Triage: group needs by the group's moderator, the rest by the administrator.
	for (const [k, need] of filed.entries()) {
		const moderator = need.group ? as(need.group.members[1] ?? need.group.members[0]) : asAdmin;
		if (k % 5 === 1) await changeStatus(moderator, need.id, { status: 'triaged', reason: 'Reproduced by two operators.' });
		if (k % 7 === 2)
			await changeStatus(moderator, need.id, { status: 'accepted', reason: 'Clear need, broad support; a candidate for the next priority round.' });
		if (k % 23 === 3)
			await changeStatus(moderator, need.id, { status: 'declined', reason: 'Out of scope upstream: this belongs in the deployment tooling, not the service.' });
	}
	// Duplicates filed apart, merged by a moderator.
	const outside = filed.filter((n) => !n.group);
	for (let m = 0; m + 1 < Math.min(outside.length, 40); m += 8) {
		await mergeNeed(asAdmin, { sourceId: outside[m + 1].id, targetId: outside[m].id, reason: 'Same root cause; keeping the older need.' });
	}
	// The closed Security SIG publishes one of its needs once the advisory is out.
	const security = filed.find((n) => n.group?.visibility === 'closed');
	if (security?.group) await publishNeed(as(security.group.members[0]), security.id);
	// The trending sort reads a rollup its job refreshes every few minutes; fill it now.
	await refreshTrending(ctx.db, ctx.now());
}
