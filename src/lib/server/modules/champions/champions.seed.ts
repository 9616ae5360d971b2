import { createCycle, findCycle } from '#lib/server/modules/cycles/index.ts';
import { linkChange, setChangeState, volunteer } from '#lib/server/modules/champions/index.ts';
import { createHandoff, draftHandoff, listTrackersForAdmin, moveSandboxIssue, syncNeed } from '#lib/server/modules/handoff/index.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import type { DemoMember, DemoWorld } from '#lib/server/platform/module.ts';

const DAY = 86_400_000;
const REPOS = ['openstack/nova', 'openstack/neutron', 'openstack/cinder', 'openstack/keystone', 'openstack/octavia'];

type Fate = 'accepted' | 'handed_upstream' | 'in_progress' | 'delivered';
const FATES: readonly Fate[] = ['delivered', 'in_progress', 'delivered', 'handed_upstream', 'in_progress', 'accepted'];

/**
 * Gives the accountability dashboard real numbers, through the same commands people use, at the time each
 * step happened: champions and sponsors volunteer for accepted needs; the chairs (the administrator for
 * needs outside groups) hand them to the demo's sandbox tracker; whoever plays the developers there moves
 * the sandbox issues (in progress, fixed in a release) and a sync carries that back to the needs; the
 * champions link their changes. Some handoffs never move again (stalled), some needs still wait.
 *
 * Handed: the top three of the Large Scale SIG's published list, and the accepted needs of the other open
 * groups and outside groups, except those in a round still being ranked. The Large Scale SIG's other
 * accepted needs are left for the demo's visitor to hand.
 */
export const seedDemo = (world: DemoWorld) => seedDemoChampions(world.ctx, world);

async function seedDemoChampions(ctx: Ctx, world: DemoWorld): Promise<void> {
	const { members, groups, as } = world;
	const admin = world.admin!;
	for (const [slug, name, startsOn, endsOn] of [
		['2026.2', '2026.2 (Gazpacho)', '2026-07-01', '2026-12-31'],
		['2027.1', '2027.1 (Hibiscus)', '2027-01-01', '2027-06-30']
	] as const) {
		if (!(await findCycle(ctx.db, slug))) await createCycle(as(admin, world.daysAgo(245)), { slug, name, startsOn, endsOn });
	}
	const now = ctx.now().getTime();
	const sandbox = (await listTrackersForAdmin(as(admin))).find((t) => t.sandbox && t.enabled) ?? null;
	const open = groups.filter((g) => g.visibility === 'open');
	const ranked = open[0];

	// The published list's top three, then every other accepted need outside the ranked group and outside open rounds.
	const top = ranked
		? await ctx.db
				.selectFrom('priority_list_entry')
				.innerJoin('priority_list', 'priority_list.id', 'priority_list_entry.list_id')
				.select(['priority_list_entry.need_id as id', 'priority_list.published_at'])
				.where('priority_list.group_id', '=', ranked.id)
				.where('priority_list_entry.rank', '<=', 3)
				.orderBy('priority_list_entry.rank')
				.limit(3)
				.execute()
		: [];
	const accepted = await ctx.db
		.selectFrom('need')
		.select(['need.id', 'need.group_id', 'need.kind'])
		.where('need.status', '=', 'accepted')
		.where('need.hidden_at', 'is', null)
		.where((eb) =>
			eb.or([
				eb('need.group_id', 'is', null),
				eb(
					'need.group_id',
					'in',
					open
						.filter((g) => g !== ranked)
						.map((g) => g.id)
						.concat([-1])
				)
			])
		)
		.where((eb) =>
			eb.not(
				eb.exists(
					eb
						.selectFrom('priority_candidate')
						.innerJoin('priority_round', 'priority_round.id', 'priority_candidate.round_id')
						.select('priority_candidate.need_id')
						.whereRef('priority_candidate.need_id', '=', 'need.id')
						.where('priority_round.state', '=', 'open')
				)
			)
		)
		.orderBy('need.id')
		.limit(21)
		.execute();
	const topIds = new Set(top.map((t) => Number(t.id)));
	const chosen = [
		...top.map((t) => ({ id: Number(t.id), after: t.published_at ? t.published_at.getTime() : 0 })),
		...accepted.filter((n) => !topIds.has(n.id)).map((n) => ({ id: n.id, after: 0 }))
	];

	let handed = 0;
	for (const [k, { id, after }] of chosen.entries()) {
		const need = await ctx.db.selectFrom('need').select(['id', 'group_id', 'kind']).where('id', '=', id).executeTakeFirstOrThrow();
		const acceptedRow = await ctx.db
			.selectFrom('need_status_change')
			.select('at')
			.where('need_id', '=', id)
			.where('to_status', '=', 'accepted')
			.orderBy('at', 'desc')
			.executeTakeFirst();
		const acceptedAt = acceptedRow?.at.getTime() ?? now - 60 * DAY;
		const group = groups.find((g) => g.id === need.group_id) ?? null;
		const handler = group ? group.members[0] : admin;

		// Champions volunteer soon after acceptance; every third need still waits for one (a sponsor alone does not count).
		const champion = pickChampion(members, group, k);
		const sponsor = members[(k * 7 + 11) % members.length];
		const at = (t: number) => new Date(Math.min(t, now));
		if (k % 3 !== 2)
			await volunteer(as(champion, at(acceptedAt + 2 * DAY)), id, {
				role: 'champion',
				note: k % 2 ? 'We run this at scale and can test every patch set.' : 'I will write the spec and follow the review.'
			});
		if (k % 4 === 0 && sponsor.id !== champion.id)
			await volunteer(as(sponsor, at(acceptedAt + 3 * DAY)), id, { role: 'sponsor', note: 'Core reviewer; happy to mentor.' });

		let fate: Fate = topIds.has(id) ? (['in_progress', 'delivered', 'handed_upstream'] as const)[k % 3] : FATES[k % FATES.length];
		const handedAt = Math.max(acceptedAt + (6 + ((k * 13) % 25)) * DAY, after + (2 + k) * DAY);
		const progressAt = handedAt + (5 + (k % 7)) * DAY;
		const deliveredAt = progressAt + (12 + ((k * 7) % 20)) * DAY;
		if (fate === 'delivered' && deliveredAt >= now - DAY) fate = 'in_progress';
		if (fate === 'in_progress' && progressAt >= now - DAY) fate = 'handed_upstream';
		if (fate === 'handed_upstream' && handedAt >= now - DAY) fate = 'accepted';
		if (!sandbox || fate === 'accepted') continue;

		const handing = as(handler, new Date(handedAt));
		const kind = need.kind === 'bug' ? 'bug' : 'feature';
		const { draft } = await draftHandoff(handing, id, { trackerId: sandbox.id, kind }, { siteUrl: '' });
		const handoff = await createHandoff(handing, id, { trackerId: sandbox.id, kind, title: draft.title, body: draft.body, fields: draft.fields });
		handed++;
		if (fate === 'handed_upstream') continue;

		// A developer picks it up; the next sync moves the need. Then the champion's change, and perhaps the release.
		const number = Number(handoff.upstreamKey);
		await moveSandboxIssue(as(handler, new Date(progressAt)), sandbox.id, number, {
			state: 'in_progress',
			milestone: '2027.1',
			note: 'Assigned to a core reviewer; a first patch set is up.'
		});
		await syncNeed(as(handler, new Date(progressAt + 2 * 3_600_000)), id);
		if (k % 3 !== 2) {
			const repo = REPOS[k % REPOS.length];
			const review = await linkChange(as(champion, new Date(progressAt + 4 * 3_600_000)), id, {
				url: `https://review.opendev.org/c/${repo}/+/${930000 + id * 7}`
			});
			if (fate === 'delivered') await setChangeState(as(champion, new Date(deliveredAt - DAY)), review.id, { state: 'merged' });
			if (k % 4 === 1) {
				const abandoned = await linkChange(as(champion, new Date(progressAt + 5 * 3_600_000)), id, {
					url: `https://review.opendev.org/c/${repo}/+/${920000 + id * 7}`
				});
				await setChangeState(as(champion, new Date(progressAt + 2 * DAY)), abandoned.id, { state: 'abandoned' });
			}
		}
		if (fate !== 'delivered') continue;
		await moveSandboxIssue(as(handler, new Date(deliveredAt)), sandbox.id, number, {
			state: 'fixed',
			milestone: '2026.2',
			note: 'Merged and backported; released in 2026.2.'
		});
		await syncNeed(as(handler, new Date(deliveredAt + 3 * 3_600_000)), id);
	}
	console.log(`  champions: ${chosen.length} accepted needs given champions; ${handed} handed to ${sandbox?.name ?? 'no tracker'}.`);
}

/** A champion who may volunteer for the need: a member of its group (closed or not), else anyone. */
function pickChampion(members: DemoMember[], group: DemoWorld['groups'][number] | null, k: number): DemoMember {
	const pool = group ? group.members : members;
	return pool[(k * 5 + 3) % pool.length];
}
