import { createCycle, findCycle } from '#lib/server/modules/cycles/index.ts';
import { linkChange, setChangeState, volunteer } from '#lib/server/modules/champions/index.ts';
import type { NeedStatus } from '#lib/server/modules/needs/index.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import type { DemoMember, DemoWorld } from '#lib/server/platform/module.ts';

type Seeded = Pick<DemoWorld, 'members' | 'groups' | 'as'> & { admin: DemoMember };

const DAY = 86_400_000;
const NOVA = ['openstack/nova', 'openstack/neutron', 'openstack/cinder', 'openstack/keystone', 'openstack/octavia'];

/**
 * Gives the accountability dashboard real numbers: some of the demo's accepted needs get a past spread
 * over the last five months (accepted, handed to a tracker, in progress, delivered, or stalled upstream),
 * champions and sponsors, and linked upstream changes. Needs, champions and changes go through the
 * commands; the upstream history (status changes and handoff rows, which the handoff module's sync
 * writes in real use) is written straight into the tables, dated in the past, consistent with each
 * need's status. Reuses the cycles and a tracker when they exist; the demo tracker it may add is
 * disabled and has no credentials, so no sync ever calls out.
 */
/** This module's part of `caucus seed --demo`. */
export const seedDemo = (world: DemoWorld) => seedDemoChampions(world.ctx, { ...world, admin: world.admin! });

async function seedDemoChampions(ctx: Ctx, { admin, members, groups, as }: Seeded): Promise<void> {
	const asAdmin = as(admin);
	for (const [slug, name, startsOn, endsOn] of [
		['2026.2', '2026.2 (Gazpacho)', '2026-07-01', '2026-12-31'],
		['2027.1', '2027.1 (Hibiscus)', '2027-01-01', '2027-06-30']
	] as const) {
		if (!(await findCycle(ctx.db, slug))) await createCycle(asAdmin, { slug, name, startsOn, endsOn });
	}
	const now = ctx.now();
	const tracker =
		(await ctx.db.selectFrom('tracker').select('id').orderBy('id').executeTakeFirst()) ??
		(await ctx.db
			.insertInto('tracker')
			.values({
				name: 'Nova bugs (demo, disabled)',
				provider: 'launchpad',
				base_url: 'https://api.launchpad.net/devel',
				project: 'nova',
				created_at: now,
				updated_at: now,
				disabled_at: now
			})
			.returning('id')
			.executeTakeFirstOrThrow());

	const openGroupIds = (
		await ctx.db
			.selectFrom('group')
			.select('id')
			.where(
				'slug',
				'in',
				groups.filter((g) => g.visibility === 'open').map((g) => g.slug)
			)
			.execute()
	).map((g) => Number(g.id));
	const accepted = await ctx.db
		.selectFrom('need')
		.select(['id', 'title', 'group_id'])
		.where('status', '=', 'accepted')
		.where('hidden_at', 'is', null)
		.where((eb) => eb.or([eb('group_id', 'is', null), ...(openGroupIds.length ? [eb('group_id', 'in', openGroupIds)] : [])]))
		.orderBy('id')
		.limit(24)
		.execute();

	for (const [k, need] of accepted.entries()) {
		// Accepted between 150 and 35 days ago; then, by k: delivered, in progress, handed and stalled, or still accepted.
		const acceptedAt = new Date(now.getTime() - (150 - k * 5) * DAY);
		const handedAt = new Date(acceptedAt.getTime() + (6 + ((k * 13) % 30)) * DAY);
		const progressAt = new Date(handedAt.getTime() + 5 * DAY);
		const deliveredAt = new Date(progressAt.getTime() + (10 + ((k * 7) % 25)) * DAY);
		let fate: NeedStatus = (['delivered', 'in_progress', 'delivered', 'handed_upstream', 'in_progress', 'accepted'] as const)[k % 6];
		if (fate === 'delivered' && deliveredAt >= now) fate = 'in_progress';
		if (fate === 'in_progress' && progressAt >= now) fate = 'handed_upstream';
		if (fate === 'handed_upstream' && handedAt >= now) fate = 'accepted';

		const champion = members[(k * 5 + 3) % members.length];
		const sponsor = members[(k * 7 + 11) % members.length];
		// Every third need keeps waiting for a champion (a sponsor alone does not count).
		if (k % 3 !== 2)
			await volunteer(as(champion), need.id, {
				role: 'champion',
				note: k % 2 ? 'We run this at scale and can test every patch set.' : 'I will write the spec and follow the review.'
			});
		if (k % 4 === 0 && sponsor.id !== champion.id) await volunteer(as(sponsor), need.id, { role: 'sponsor', note: 'Core reviewer; happy to mentor.' });

		await ctx.db
			.updateTable('need')
			.set({ created_at: new Date(acceptedAt.getTime() - 12 * DAY) })
			.where('id', '=', need.id)
			.execute();
		await ctx.db
			.updateTable('need_status_change')
			.set({ at: new Date(acceptedAt.getTime() - 3 * DAY) })
			.where('need_id', '=', need.id)
			.where('to_status', '!=', 'accepted')
			.execute();
		await ctx.db.updateTable('need_status_change').set({ at: acceptedAt }).where('need_id', '=', need.id).where('to_status', '=', 'accepted').execute();
		if (fate === 'accepted') continue;

		const steps: [NeedStatus, NeedStatus, Date, string][] = [['accepted', 'handed_upstream', handedAt, `Handed to ${'the developers’ tracker'}.`]];
		if (fate === 'in_progress' || fate === 'delivered') steps.push(['handed_upstream', 'in_progress', progressAt, 'Upstream: a fix is in review.']);
		if (fate === 'delivered') steps.push(['in_progress', 'delivered', deliveredAt, 'Upstream: fix released in 2026.2.']);
		await ctx.db
			.insertInto('need_status_change')
			.values(steps.map(([from, to, at, reason]) => ({ need_id: need.id, from_status: from, to_status: to, reason, actor_id: null, at })))
			.execute();
		await ctx.db
			.updateTable('need')
			.set({ status: fate, status_reason: steps.at(-1)![3], updated_at: steps.at(-1)![2] })
			.where('id', '=', need.id)
			.execute();
		// The handed-only needs are the stalled ones: nothing has moved upstream since the handoff.
		const lastUpstream = steps.at(-1)![2];
		await ctx.db
			.insertInto('handoff')
			.values({
				need_id: need.id,
				tracker_id: tracker.id,
				kind: k % 2 ? 'bug' : 'feature',
				upstream_key: `${2090000 + need.id}`,
				upstream_url: `https://bugs.launchpad.net/nova/+bug/${2090000 + need.id}`,
				title: need.title,
				linked: true,
				upstream_state: fate === 'delivered' ? 'Fix Released' : fate === 'in_progress' ? 'In Progress' : 'Triaged',
				status: fate as 'handed_upstream' | 'in_progress' | 'delivered',
				delivered_in: fate === 'delivered' ? '2026.2' : null,
				created_by: null,
				created_at: handedAt,
				upstream_updated_at: lastUpstream,
				synced_at: null
			})
			.execute();

		if (k % 3 !== 2 && (fate === 'in_progress' || fate === 'delivered')) {
			const project = NOVA[k % NOVA.length];
			const review = await linkChange(as(champion), need.id, { url: `https://review.opendev.org/c/${project}/+/${930000 + need.id * 7}` });
			if (fate === 'delivered') await setChangeState(as(champion), review.id, { state: 'merged' });
			if (k % 4 === 1) {
				const abandoned = await linkChange(as(champion), need.id, { url: `https://review.opendev.org/c/${project}/+/${920000 + need.id * 7}` });
				await setChangeState(as(champion), abandoned.id, { state: 'abandoned' });
			}
		}
	}
	console.log(`  champions: ${accepted.length} accepted needs given an upstream history, champions and changes.`);
}
