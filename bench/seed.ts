import { SingleBar, Presets } from 'cli-progress';
import type { Db } from '#lib/server/platform/db/database.ts';
import { FACTORY_PASSWORD_HASH } from '#lib/server/modules/members/members.factories.ts';
import { SEGMENTS } from '#lib/server/modules/members/members.tables.ts';

const ORGANIZATIONS = [
	'CERN',
	'OVHcloud',
	'Bloomberg',
	'Workday',
	'Walmart Labs',
	'China Mobile',
	'Deutsche Telekom',
	'Vexxhost',
	'StackHPC',
	'Red Hat',
	'Canonical',
	'NeCTAR',
	'Rackspace',
	'Verizon Media',
	'SWITCH',
	'CSC',
	'Catalyst Cloud',
	'Ubisoft'
];
const REGIONS = ['eu-west', 'eu-central', 'us-east', 'us-west', 'ap-south', 'ap-east', 'sa-east'];
const RELEASES = ['2023.1', '2023.2', '2024.1', '2024.2', '2025.1', '2025.2', '2026.1'];
const COMPONENTS = ['nova', 'neutron', 'cinder', 'keystone', 'glance', 'octavia', 'ironic', 'manila', 'heat', 'horizon', 'placement', 'swift'];

const pick = <T>(items: readonly T[], i: number) => items[i % items.length];

/**
 * Bulk path for benchmarks: members with deployments, in multi-row inserts. Realistic spread of
 * organizations, segments and sizes; every member shares the factory password.
 */
export async function seedMembers(db: Db, count: number, options: { progress?: boolean } = {}): Promise<void> {
	const bar = options.progress === false ? null : new SingleBar({ format: '  members   [{bar}] {value}/{total}', hideCursor: true }, Presets.shades_classic);
	bar?.start(count, 0);
	const batch = 1000;
	const now = new Date('2026-11-01T00:00:00Z');
	for (let start = 0; start < count; start += batch) {
		const rows = [];
		for (let i = start; i < Math.min(count, start + batch); i++) {
			rows.push({
				email: `bench-${i}@example.org`,
				handle: `bench-${i}`,
				display_name: `Bench Member ${i}`,
				password_hash: FACTORY_PASSWORD_HASH,
				organization: pick(ORGANIZATIONS, i * 7),
				segments: [pick(SEGMENTS, i), ...(i % 5 === 0 ? [pick(SEGMENTS, i + 2)] : [])],
				// A site has its administrator; until it does, every door leads to /setup.
				is_admin: i === 0,
				created_at: now,
				updated_at: now
			});
		}
		const inserted = await db.insertInto('member').values(rows).returning('id').execute();
		const deployments = inserted
			.filter((_, k) => (start + k) % 3 !== 2)
			.map(({ id }, k) => ({
				member_id: id,
				name: `cloud-${id}`,
				nodes: 10 + ((id * 37) % 2000),
				instances: 100 + ((id * 911) % 60_000),
				releases: [pick(RELEASES, id), pick(RELEASES, id + 1)],
				components: [pick(COMPONENTS, id), pick(COMPONENTS, id + 3), pick(COMPONENTS, id + 5)],
				region: pick(REGIONS, id + k),
				created_at: now,
				updated_at: now
			}));
		if (deployments.length) await db.insertInto('deployment').values(deployments).execute();
		bar?.update(Math.min(count, start + batch));
	}
	bar?.stop();
}
