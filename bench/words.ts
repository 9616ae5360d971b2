// Word lists for realistic operator needs: the titles an OpenStack operator would file, built from
// components × subjects × symptoms × conditions × releases. Deterministic for a given random source.

export type Rand = () => number;

/** A small seeded PRNG (mulberry32): the same seed gives the same data set on every run. */
export function prng(seed: number): Rand {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export const oneOf = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)];

export const RELEASES = ['2023.1', '2023.2', '2024.1', '2024.2', '2025.1', '2025.2', '2026.1'] as const;

/** Component slug → display name and the things operators complain about in it. */
export const COMPONENT_SUBJECTS: Record<string, { name: string; subjects: string[] }> = {
	nova: {
		name: 'Nova',
		subjects: [
			'live migration',
			'cold migration',
			'resize',
			'evacuate',
			'the scheduler',
			'cells v2',
			'server groups',
			'NUMA pinning',
			'vGPU instances',
			'the serial console',
			'rebuild',
			'shelve and unshelve',
			'instance snapshots',
			'PCI passthrough',
			'hugepages'
		]
	},
	neutron: {
		name: 'Neutron',
		subjects: [
			'OVN metadata',
			'the DHCP agent',
			'L3 HA routers',
			'security groups',
			'port binding',
			'trunk ports',
			'BGP dynamic routing',
			'floating IPs',
			'QoS policies',
			'SR-IOV ports',
			'the OVS to OVN migration',
			'provider networks',
			'DVR routers'
		]
	},
	cinder: {
		name: 'Cinder',
		subjects: [
			'volume attach',
			'multiattach volumes',
			'the backup service',
			'RBD snapshots',
			'volume retype',
			'encrypted volumes',
			'volume migration',
			'volume quotas'
		]
	},
	keystone: {
		name: 'Keystone',
		subjects: [
			'application credentials',
			'federated login',
			'the LDAP backend',
			'token revocation',
			'role assignments',
			'the service catalog',
			'password policies'
		]
	},
	glance: { name: 'Glance', subjects: ['image import', 'multi-store images', 'image conversion', 'the image cache', 'Ceph-backed images', 'image signing'] },
	octavia: {
		name: 'Octavia',
		subjects: ['amphora failover', 'TLS termination', 'health monitors', 'the OVN provider', 'listener timeouts', 'load balancer quotas']
	},
	ironic: {
		name: 'Ironic',
		subjects: ['node cleaning', 'deploy templates', 'BIOS settings', 'Redfish virtual media', 'conductor takeover', 'hardware inspection', 'RAID configuration']
	},
	manila: { name: 'Manila', subjects: ['CephFS shares', 'share replication', 'access rules', 'NFS-Ganesha exports', 'share quotas'] },
	heat: { name: 'Heat', subjects: ['stack updates', 'nested stacks', 'autoscaling groups', 'stack deletion'] },
	horizon: { name: 'Horizon', subjects: ['the instance launch dialog', 'the network topology view', 'session timeouts', 'the quota overview'] },
	placement: { name: 'Placement', subjects: ['allocation candidates', 'resource providers', 'consumer generations', 'nested providers', 'traits'] },
	swift: { name: 'Swift', subjects: ['object replication', 'erasure coding', 'large object uploads', 'container sync', 'the account reaper'] },
	designate: { name: 'Designate', subjects: ['zone transfers', 'PTR records', 'the pool manager', 'recordset quotas'] },
	barbican: { name: 'Barbican', subjects: ['the secret store', 'the PKCS#11 backend', 'certificate containers'] },
	magnum: { name: 'Magnum', subjects: ['cluster upgrades', 'Kubernetes templates', 'node group resize'] },
	'kolla-ansible': {
		name: 'Kolla Ansible',
		subjects: ['rolling upgrades', 'container restarts', 'the prechecks', 'certificate rotation', 'the RabbitMQ upgrade']
	},
	'openstack-ansible': { name: 'OpenStack-Ansible', subjects: ['the upgrade playbooks', 'LXC containers', 'the repo server'] },
	ceilometer: { name: 'Ceilometer', subjects: ['metering pollsters', 'the Gnocchi publisher', 'event notifications'] },
	masakari: { name: 'Masakari', subjects: ['host failure recovery', 'instance HA', 'process monitors'] },
	oslo: { name: 'Oslo', subjects: ['oslo.messaging heartbeats', 'the policy file migration', 'oslo.db reconnects'] }
};
export const COMPONENT_SLUGS = Object.keys(COMPONENT_SUBJECTS);

const BUG_SYMPTOMS = [
	'fails',
	'times out',
	'hangs forever',
	'leaks memory',
	'returns a 500',
	'deadlocks the database',
	'silently ignores the configuration',
	'breaks after the upgrade',
	'reports wrong usage',
	'leaves orphaned records',
	'floods the logs',
	'is very slow',
	'crashes the agent',
	'loses the port binding',
	'corrupts the allocation'
];
const CONDITIONS = [
	'with NUMA pinning',
	'under heavy load',
	'with 1000+ hypervisors',
	'with OVN',
	'with a Ceph backend',
	'behind HAProxy',
	'on IPv6-only networks',
	'across cells',
	'with TLS everywhere',
	'in multi-region clouds',
	'with SR-IOV',
	'with large images',
	'during a rolling upgrade',
	'with Keystone federation',
	'on ARM hosts',
	'with DPDK',
	'when RabbitMQ restarts',
	'with Galera clusters'
];
const FEATURES = [
	'Bulk API for',
	'Per-project limits for',
	'A dry-run mode for',
	'Prometheus metrics for',
	'Configurable timeouts for',
	'Rate limiting for',
	'Audit events for',
	'A scheduler filter for',
	'Online data migration for',
	'Tenant self-service for'
];
const PAINS = [
	'needs manual cleanup after every failure',
	'makes upgrades painful',
	'requires a restart to pick up changes',
	'cannot be debugged without reading the code',
	'needs a custom patch in production',
	'costs us hours every week'
];
const DOCS = ['is not documented', 'has outdated documentation', 'needs an operator guide', 'lacks upgrade notes', 'is missing a troubleshooting page'];
const OPERATIONS = ['Alerting for', 'A runbook for', 'Capacity planning for', 'Backup and restore of', 'Monitoring of', 'Safe rollback of'];

export const TAGS = [
	'numa',
	'live-migration',
	'upgrade',
	'ovn',
	'ceph',
	'sriov',
	'gpu',
	'ipv6',
	'tls',
	'quota',
	'scheduler',
	'performance',
	'ha',
	'backup',
	'rbac',
	'api',
	'dpdk',
	'arm',
	'rabbitmq',
	'galera',
	'metrics',
	'scale'
];

export const KINDS = ['bug', 'feature', 'pain_point', 'documentation', 'operations'] as const;
const KIND_WEIGHTS = [0.42, 0.28, 0.14, 0.08, 0.08];

export function weighted<T>(rand: Rand, items: readonly T[], weights: readonly number[]): T {
	let r = rand();
	for (let i = 0; i < items.length; i++) {
		r -= weights[i];
		if (r < 0) return items[i];
	}
	return items[items.length - 1];
}

export interface GeneratedNeed {
	title: string;
	body: string;
	kind: (typeof KINDS)[number];
	component: string;
	subject: string;
	release: string;
}

/** One realistic need: a title like "Nova live migration fails with NUMA pinning on 2024.1" and a short Markdown description. */
export function generateNeed(rand: Rand): GeneratedNeed {
	const component = oneOf(rand, COMPONENT_SLUGS);
	const { name, subjects } = COMPONENT_SUBJECTS[component];
	const subject = oneOf(rand, subjects);
	const release = oneOf(rand, RELEASES);
	const kind = weighted(rand, KINDS, KIND_WEIGHTS);
	const condition = oneOf(rand, CONDITIONS);
	let title: string;
	switch (kind) {
		case 'bug':
			title = `${name} ${subject} ${oneOf(rand, BUG_SYMPTOMS)}${rand() < 0.7 ? ` ${condition}` : ''}${rand() < 0.5 ? ` on ${release}` : ''}`;
			break;
		case 'feature':
			title = `${oneOf(rand, FEATURES)} ${name} ${subject}${rand() < 0.3 ? ` ${condition}` : ''}`;
			break;
		case 'pain_point':
			title = `${name} ${subject} ${oneOf(rand, PAINS)}${rand() < 0.4 ? ` ${condition}` : ''}`;
			break;
		case 'documentation':
			title = `${name} ${subject} ${oneOf(rand, DOCS)}`;
			break;
		default:
			title = `${oneOf(rand, OPERATIONS)} ${name} ${subject}${rand() < 0.5 ? ` ${condition}` : ''}`;
	}
	title = title.charAt(0).toUpperCase() + title.slice(1);
	const nodes = 20 + Math.floor(rand() * 4000);
	const body =
		`We run ${nodes} hypervisors on ${release}. ${name} ${subject} ${oneOf(rand, BUG_SYMPTOMS)} ${condition}, ` +
		`and our on-call has to step in.\n\n` +
		`**Steps**\n\n1. Upgrade a test region to ${release}.\n2. Exercise ${subject} ${oneOf(rand, CONDITIONS)}.\n3. Watch the ${component} logs.\n\n` +
		`Workaround today: ${oneOf(rand, PAINS)}.`;
	return { title, body, kind, component, subject, release };
}

/**
 * What a filer has typed so far: a fresh title (not copied from the board) cut to 40–100% of its length,
 * at least 12 characters: the input of the similar-needs suggestion.
 */
export function partialTitle(rand: Rand): string {
	const { title } = generateNeed(rand);
	const cut = Math.max(12, Math.round(title.length * (0.4 + rand() * 0.6)));
	return title.slice(0, cut);
}

export const COMMENTS = [
	'Same here on our production region; we patched it locally for now.',
	'+1, this hits us every upgrade. Happy to test a fix.',
	'We see this with **Ceph** as well. Logs attached in the linked etherpad.',
	'Is there an upstream bug for this? I could not find one.',
	'Our workaround: restart the agent from cron every night. Not great.',
	'This was discussed at the last ops meetup; see the session notes.',
	'Confirmed on 2025.1 with OVN 24.03.',
	'We would contribute developer time if the design is agreed.'
];
