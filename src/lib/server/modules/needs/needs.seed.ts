import { listDeployments } from '#lib/server/modules/members/index.ts';
import { addComment, changeStatus, createComponent, fileNeed, mergeNeed, publishNeed, refreshTrending, supportNeed } from '#lib/server/modules/needs/index.ts';
import type { DemoMember, DemoWorld } from '#lib/server/platform/module.ts';
import { DEMO_COMPONENTS, DEMO_NEEDS, EDGE, LARGE_SCALE, type DemoNeed } from './needs.seed-data.ts';

/*
 * The needs module's part of `caucus seed --demo`: the needs of needs.seed-data.ts filed over the last seven
 * months by members of the groups they belong to, supported with deployments and impact notes, discussed
 * (several people, replies that answer each other), triaged by each group's moderator, duplicates merged,
 * and the closed Security SIG's advisory published. Every step goes through the commands at the time it
 * happened (`world.as(member, at)`), so the history, the audit log and "trending" read like a real site.
 */

type Deployment = Awaited<ReturnType<typeof listDeployments>>[number];

const DAY = 86_400_000;
const pick = <T>(items: readonly T[], i: number) => items[i % items.length];
const firstName = (member: DemoMember) => member.displayName.split(' ')[0];

/** What a comment template may name: the previous commenter, the filer, the commenter's own deployment. */
interface Said {
	prev: string;
	author: string;
	group: string;
	deployment: Deployment | null;
}

/** Evidence from someone who runs a cloud. */
const EVIDENCE: ((s: Said & { deployment: Deployment }) => string)[] = [
	(s) =>
		`We see the same on ${s.deployment.name} (${s.deployment.nodes?.toLocaleString('en-US')} nodes, ${s.deployment.releases[0] ?? 'same release'}). It started after our last upgrade.`,
	(s) => `Confirmed on ${s.deployment.name}, ${s.deployment.releases[0] ?? ''}. Our workaround is a cron job, which is exactly as fragile as it sounds.`,
	(s) => `On ${s.deployment.name} this costs us roughly a day of engineer time a month. Supporting with our numbers.`,
	(s) => `Happens on ${s.deployment.name} as well, but only above about 70 % utilisation; below that we never saw it.`
];
/** Answers to the comment before. */
const REPLIES: ((s: Said) => string)[] = [
	(s) => `${s.prev}, which release are you on? We only started seeing this after moving to 2025.1.`,
	(s) => `${s.prev}, could you share the workaround? Even a gist would help the rest of us until there is a fix upstream.`,
	(s) => `Same as ${s.prev}. Worth adding that the logs say nothing useful at the default level; you need debug on to see it.`,
	(s) => `${s.prev}: we raised the timeout too. It hides the problem for a while and comes back at the next growth step.`,
	(s) => `Agree with ${s.prev}. Is there an upstream bug already? Linking it here would help whoever triages this.`,
	(s) => `${s.prev}, that matches what we measured: it grows with the number of hosts, not with the number of instances.`
];
const GENERAL: ((s: Said) => string)[] = [
	() => 'This came up at the last ops meetup too; the etherpad says three other operators carry local patches for it.',
	() => 'Anything we can test? We have a staging region on the same release and can try a patch within a week.',
	() => 'We do not hit this ourselves yet, but we will at the size we plan for next year.'
];
const MODERATOR: ((s: Said) => string)[] = [
	(s) => `Thanks ${s.author}. Added to the agenda of the next ${s.group} meeting; please bring numbers if you can.`,
	(s) => `Reproduced by two operators now. It is a candidate for this cycle's ranking in the ${s.group}.`
];

/** Conversations written for the needs visitors open first. `filer` is the need's author, `mod` the group's moderator. */
const THREADS: Record<string, { who: 'any' | 'filer' | 'mod'; say: (s: Said) => string }[]> = {
	'nova-conductor saturates RabbitMQ after a broker restart in cells with 1,000+ computes': [
		{
			who: 'any',
			say: () => 'Same here: restarting one broker took nova-conductor 18 minutes to catch up. We now restart brokers only in the maintenance window.'
		},
		{
			who: 'any',
			say: (s) =>
				`${s.prev}, we got that down to about 4 minutes by raising kombu_reconnect_delay and rabbit_retry_backoff on the computes so they do not all come back at once. Not a fix, but it buys time.`
		},
		{
			who: 'filer',
			say: (s) =>
				`Thanks ${s.prev}, we tried the same. The catch is that with a long backoff the computes also take longer to notice a real failover. Jitter upstream would give us both.`
		},
		{ who: 'mod', say: () => 'This is on top of our ranking for 2026.2. I will take it to the oslo.messaging session at the PTG.' }
	],
	'Placement allocation candidates query takes 8 s with 30,000 resource providers': [
		{ who: 'any', say: () => 'Our numbers: 4.5 s at 18,000 providers with two required traits. Without member_of it is under a second.' },
		{ who: 'any', say: (s) => `${s.prev}, is that with nested providers for the GPUs? Those doubled the query time for us.` },
		{ who: 'filer', say: (s) => `${s.prev}: no nested providers here, plain compute nodes. The EXPLAIN output is in the mailing list thread.` }
	],
	'Usage data for billing misses instances that were resized during the hour': [
		{ who: 'any', say: () => 'We credit about 40 customers a month because of this. It is our biggest source of billing disputes.' },
		{
			who: 'any',
			say: (s) => `${s.prev}, do you consume the resize.confirm notification at all? We built a consumer for it and can share it, but it belongs upstream.`
		},
		{ who: 'mod', say: () => 'Accepted for the Public Cloud SIG; it goes into our ranking for 2027.1.' }
	],
	'Live migration of instances with NVMe-backed volumes times out after 800 s': [
		{ who: 'any', say: () => 'Confirmed: instances with 6 volumes fail every time, with 2 volumes never.' },
		{ who: 'any', say: (s) => `${s.prev}, are your volumes on one target? We see it only with several NVMe-oF subsystems.` },
		{
			who: 'any',
			say: () => 'We have a patch that reconnects the volumes in parallel, two months in production now. I will push it for review and link it here.'
		}
	]
};

const IMPACTS = [
	'Blocks our upgrade to the next release.',
	'Costs us about a day of on-call time a week.',
	'Customer-visible outages twice this quarter.',
	'We carry a local patch for it.',
	'Our largest customer asked about it at their renewal.'
];

/** How many people support a need of this heat: a few needs gather most of the support, as on real boards. */
const supportersFor = (need: DemoNeed, i: number) => [0 + (i % 3), 4 + (i % 5), 9 + (i % 8), 18 + (i % 10)][need.heat ?? 0];

export async function seedDemo(world: DemoWorld): Promise<void> {
	const { ctx, members, groups, as } = world;
	const admin = world.admin!;
	for (const [slug, name] of DEMO_COMPONENTS) await createComponent(as(admin, world.daysAgo(240)), { slug, name });
	const deployments = new Map<number, Deployment[]>();
	for (const member of members) deployments.set(member.id, await listDeployments(ctx, member.id));
	const now = ctx.now().getTime();

	const ordered = [...DEMO_NEEDS].sort((a, b) => b.ago - a.ago);
	const filed = new Map<string, { id: number; at: Date; spec: DemoNeed }>();
	const bar = world.progress('needs', ordered.length);
	for (const [i, spec] of ordered.entries()) {
		const at = new Date(now - spec.ago * DAY - ((i * 7919) % 600) * 60_000);
		const group = spec.group === undefined ? null : groups[spec.group];
		const pool = group ? group.members : members;
		// Filers are the people who run clouds where they can be: their need cites their deployment.
		// The Large Scale SIG's filers run big clouds, the Edge WG's run edge sites.
		const withClouds = pool.filter((m) => deployments.get(m.id)?.some((d) => fits(spec, d)));
		const author = pick(withClouds.length ? withClouds : pool, i * 5 + 1);
		const own = (deployments.get(author.id) ?? []).filter((d) => fits(spec, d));
		const source = spec.source ?? 'direct';
		const need = await fileNeed(as(author, at), {
			title: spec.title,
			body: bodyOf(spec, own[0] ?? null),
			kind: spec.kind,
			components: [spec.component],
			tags: spec.tags,
			releases: own[0]?.releases.slice(0, 2) ?? [],
			groupId: group?.id ?? null,
			sourceChannel: source,
			sourceUrl:
				source === 'mailing_list'
					? `https://lists.example.org/archives/operators/${at.toISOString().slice(0, 7)}/thread-${1000 + i}.html`
					: source === 'session'
						? `https://etherpad.example.org/p/ops-meetup-${at.toISOString().slice(0, 7)}-${spec.component}`
						: null,
			sourceNote: null,
			deploymentId: own[0]?.id ?? null
		});
		filed.set(spec.title, { id: need.id, at, spec });

		// Supports come in over the need's life, most of them early.
		const span = now - at.getTime();
		const count = Math.min(supportersFor(spec, i), pool.length - 1);
		const supporters = Array.from({ length: pool.length }, (_, s) => pool[(i * 11 + s * 7) % pool.length])
			.filter((m, k, all) => m.id !== author.id && all.indexOf(m) === k)
			.slice(0, count);
		for (const [s, member] of supporters.entries()) {
			const when = new Date(at.getTime() + span * ((s + 1) / (count + 2)) ** 2);
			const theirs = deployments.get(member.id) ?? [];
			await supportNeed(
				as(member, when),
				need.id,
				s % 2 === 0 && theirs.length ? { deploymentId: theirs[0].id, impact: s % 4 === 0 ? pick(IMPACTS, i + s) : undefined } : {}
			);
		}

		// The discussion: a written thread for the needs visitors open first, else a few comments that answer each other.
		const moderator = group ? (group.members[1] ?? group.members[0]) : admin;
		const script =
			THREADS[spec.title] ??
			Array.from({ length: (spec.heat ?? 0) + (i % 3) }, (_, c) => ({
				who: (c === 2 && group ? 'mod' : 'any') as 'any' | 'mod',
				say: c === 0 ? null : c % 2 ? pick(REPLIES, i + c) : c === 2 && group ? pick(MODERATOR, i) : pick(GENERAL, i + c)
			}));
		let prev = author;
		const gap = Math.min(3 * DAY, span / (script.length + 2));
		for (const [c, line] of script.entries()) {
			const others = (supporters.length ? supporters : pool).filter((m) => m.id !== prev.id);
			const speaker = line.who === 'filer' ? author : line.who === 'mod' ? moderator : pick(others.length ? others : pool, c * 3 + i);
			const mine = deployments.get(speaker.id)?.[0] ?? null;
			const said: Said = { prev: firstName(prev), author: firstName(author), group: group?.name ?? 'operators', deployment: mine };
			const body = line.say ? line.say(said) : mine ? pick(EVIDENCE, i)({ ...said, deployment: mine }) : pick(GENERAL, i)(said);
			await addComment(as(speaker, new Date(at.getTime() + gap * (c + 1) + 37 * 60_000 * c)), need.id, { body });
			prev = speaker;
		}
		bar.tick();
	}
	bar.done();

	// Triage, by each group's moderator (the administrator for needs outside groups), a few days to weeks after filing.
	for (const [i, { id, at, spec }] of [...filed.values()].entries()) {
		if (spec.duplicateOf || !spec.fate || spec.fate === 'new') continue;
		const group = spec.group === undefined ? null : groups[spec.group];
		const moderator = group ? (group.members[1] ?? group.members[0]) : admin;
		const triagedAt = new Date(at.getTime() + (3 + (i % 5)) * DAY);
		const decidedAt = new Date(triagedAt.getTime() + (8 + (i % 13)) * DAY);
		if (triagedAt.getTime() >= now) continue;
		if (spec.fate === 'declined') {
			await changeStatus(as(moderator, triagedAt), id, {
				status: 'declined',
				reason:
					spec.kind === 'bug'
						? 'Works as designed upstream; the behaviour is documented and changing it would break other users.'
						: 'Out of scope upstream: this belongs in the deployment tooling, not in the service.'
			});
			continue;
		}
		await changeStatus(as(moderator, triagedAt), id, { status: 'triaged', reason: 'Reproduced by two operators with different deployments.' });
		if (spec.fate === 'accepted' && decidedAt.getTime() < now)
			await changeStatus(as(moderator, decidedAt), id, {
				status: 'accepted',
				reason: group
					? `Clear need with broad support; a candidate for the ${group.name}'s next priority round.`
					: 'Clear need with broad support across organizations.'
			});
	}

	// Duplicates filed apart, merged into the older need by a moderator a few days later.
	for (const { id, at, spec } of filed.values()) {
		if (!spec.duplicateOf) continue;
		const target = filed.get(spec.duplicateOf)!;
		const group = spec.group === undefined ? null : groups[spec.group];
		const moderator = group ? (group.members[1] ?? group.members[0]) : admin;
		await mergeNeed(as(moderator, new Date(at.getTime() + 2 * DAY)), {
			sourceId: id,
			targetId: target.id,
			reason: `Same problem as #${target.id}; its supporters count there now.`
		});
	}

	// The closed Security SIG publishes its embargoed need once the advisory is out.
	const embargoed = [...filed.values()].find(
		(n) => n.spec.group !== undefined && groups[n.spec.group].visibility === 'closed' && n.spec.kind === 'bug' && n.spec.tags.includes('security')
	);
	if (embargoed) {
		const chair = groups[embargoed.spec.group!].members[0];
		await publishNeed(as(chair, world.daysAgo(Math.min(20, embargoed.spec.ago - 1))), embargoed.id);
	}
	// The trending sort reads a rollup its job refreshes every few minutes; fill it now.
	await refreshTrending(ctx.db, ctx.now());
}

/** Whether a deployment is one a need of this group would come from. */
function fits(spec: DemoNeed, deployment: Deployment): boolean {
	if (spec.group === LARGE_SCALE) return (deployment.nodes ?? 0) >= 600;
	if (spec.group === EDGE) return /edge/i.test(deployment.name);
	return true;
}

function bodyOf(spec: DemoNeed, deployment: Deployment | null): string {
	const where = deployment
		? `\n\n**Where:** ${deployment.name}, ${deployment.nodes?.toLocaleString('en-US') ?? 'several hundred'} nodes on ${deployment.releases.join(' and ') || 'a recent release'}.`
		: '';
	return `${spec.context}${where}\n\n**What would help:** ${spec.ask}`;
}
