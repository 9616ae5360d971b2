import type { DemoWorld } from '#lib/server/platform/module.ts';
import { createTracker } from './handoff.trackers.ts';

export const DEMO_SANDBOX_TRACKER = 'Sandbox tracker (demo)';

/**
 * The handoff module's part of `caucus seed --demo`: one enabled sandbox tracker (decision 0020), so a
 * visitor who signs in as a chair can hand a need upstream, see it linked, play the developers on the
 * sandbox issue and watch the sync move the need, with nothing leaving the site. The demo's upstream
 * history (champions.seed.ts) goes through it too.
 */
export async function seedDemo(world: DemoWorld): Promise<void> {
	await createTracker(world.as(world.admin!, world.daysAgo(230)), {
		name: DEMO_SANDBOX_TRACKER,
		provider: 'sandbox',
		project: 'openstack (practice)',
		settings: { labels: 'operators, caucus' }
	});
}
