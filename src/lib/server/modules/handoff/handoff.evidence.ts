import type { Ctx } from '#lib/server/platform/context.ts';
import { getNeedPage } from '#lib/server/modules/needs/index.ts';
import { deploymentReleases } from '#lib/server/modules/members/index.ts';
import { listName, priorityRanksOfNeed } from '#lib/server/modules/priorities/index.ts';
import { SEGMENT_LABELS } from '#lib/labels/segments.ts';
import type { NeedEvidence } from './providers/provider.ts';

/*
 * What Caucus knows about a need, gathered for a draft from the needs module's own page query, so the
 * evidence is exactly what the moderator can read (supporters through a need merged in from a group
 * they cannot see are left out by that query).
 *
 * The priority is the newest published priority list the need is ranked in (published lists are public).
 * Not gathered yet: sessions (the gatherings module does not exist) and survey figures (no surveys module).
 */

const DEPLOYMENTS_SHOWN = 20;
const IMPACTS_SHOWN = 10;

export async function gatherEvidence(ctx: Ctx, needId: number, siteUrl: string): Promise<NeedEvidence> {
	const page = await getNeedPage(ctx, needId, { supporters: 1000 });
	const { need, counts } = page;
	const deploymentIds = [...new Set(page.supporters.flatMap((s) => (s.deployment ? [s.deployment.id] : [])))];
	const releases = await deploymentReleases(ctx.db, deploymentIds);
	const [rank] = await priorityRanksOfNeed(ctx.db, needId);
	const seen = new Set<number>();
	const deployments = page.supporters
		.flatMap((s) => (s.deployment && !seen.has(s.deployment.id) && seen.add(s.deployment.id) ? [{ d: s.deployment, organization: s.member.organization }] : []))
		.sort((a, b) => (b.d.nodes ?? 0) - (a.d.nodes ?? 0) || (b.d.instances ?? 0) - (a.d.instances ?? 0))
		.slice(0, DEPLOYMENTS_SHOWN)
		.map(({ d, organization }) => ({ name: d.name, organization, nodes: d.nodes, instances: d.instances, releases: releases.get(d.id) ?? [] }));
	const impacts = page.supporters
		.filter((s) => s.impact && s.impact.trim())
		.slice(0, IMPACTS_SHOWN)
		.map((s) => ({ member: s.member.organization ? `${s.member.displayName} (${s.member.organization})` : s.member.displayName, note: s.impact!.trim() }));
	return {
		need: {
			id: need.id,
			title: need.title,
			body: need.body,
			kind: need.kind,
			url: `${siteUrl.replace(/\/$/, '')}/needs/${need.id}`,
			components: need.components.map((c) => c.name),
			releases: need.releases,
			tags: need.tags,
			group: need.group?.name ?? null
		},
		support: {
			people: counts.supporters,
			organizations: counts.organizations,
			deployments: counts.deployments,
			nodes: counts.nodes,
			instances: counts.instances,
			bySegment: counts.segments.map((s) => ({ segment: s.segment, label: SEGMENT_LABELS[s.segment] ?? s.segment, people: s.count }))
		},
		deployments,
		impacts,
		sessions: [],
		surveyFigures: [],
		priority: rank ? { list: listName(rank), rank: rank.rank, of: rank.of, url: `${siteUrl.replace(/\/$/, '')}${rank.url}` } : null
	};
}
