import type { NeedKind } from './needs.tables.ts';

/*
 * The needs of the demo community, written the way operators write them: a title that names the symptom
 * and the scale, a description with what they saw and what would help. The subjects are the long-running
 * themes of OpenStack operators' meetups, surveys and mailing lists (RabbitMQ at scale, cells, upgrades,
 * OVN, edge sites, billing data); every organization, person and number is invented.
 *
 * `ago` is how many days before the seed the need was filed; `group` indexes DEMO_GROUPS (groups.seed.ts);
 * `fate` is how far triage took it; `duplicateOf` names the title of the need it was later merged into;
 * `heat` (0 to 3) is how many people it draws.
 */

export type DemoFate = 'new' | 'triaged' | 'accepted' | 'declined';

export interface DemoNeed {
	title: string;
	kind: NeedKind;
	component: string;
	tags: string[];
	/** What the filer saw. */
	context: string;
	/** What would help. */
	ask: string;
	ago: number;
	group?: number;
	fate?: DemoFate;
	heat?: number;
	duplicateOf?: string;
	source?: 'mailing_list' | 'session' | 'survey' | 'vendor_relay';
}

/** Indexes into DEMO_GROUPS. */
export const LARGE_SCALE = 0;
const PUBLIC_CLOUD = 1;
export const EDGE = 2;
const OPS_MEETUPS = 3;
const SECURITY = 4;
const USER_COMMITTEE = 5;

export const DEMO_COMPONENTS = [
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
	['ceilometer', 'Ceilometer (telemetry)'],
	['oslo-messaging', 'oslo.messaging / RabbitMQ'],
	['docs', 'Documentation']
] as const;

export const DEMO_NEEDS: DemoNeed[] = [
	// ---- Large Scale SIG
	{
		title: 'nova-conductor saturates RabbitMQ after a broker restart in cells with 1,000+ computes',
		kind: 'bug',
		component: 'oslo-messaging',
		tags: ['scale', 'rabbitmq'],
		context:
			'When one RabbitMQ node of a cell restarts, every nova-compute reconnects at once and re-declares its queues. The conductors fall 20 minutes behind and instance builds time out for the whole cell.',
		ask: 'Jittered reconnects in oslo.messaging by default, and a documented limit on how many clients one cell can reconnect at once.',
		ago: 214,
		group: LARGE_SCALE,
		fate: 'accepted',
		heat: 3
	},
	{
		title: 'Placement allocation candidates query takes 8 s with 30,000 resource providers',
		kind: 'pain_point',
		component: 'placement',
		tags: ['scale', 'scheduler'],
		context:
			'GET /allocation_candidates with a required trait and a member_of filter takes 6 to 9 seconds on our largest region. The scheduler waits on it for every boot request, so bursts of 200 boots queue up for minutes.',
		ask: 'An index or query plan for the trait and aggregate filters, and a scheduler setting to cap candidates earlier.',
		ago: 205,
		group: LARGE_SCALE,
		fate: 'accepted',
		heat: 3
	},
	{
		title: 'Migrate RabbitMQ to quorum queues without a full control plane outage',
		kind: 'feature',
		component: 'oslo-messaging',
		tags: ['upgrade', 'rabbitmq', 'ha'],
		context:
			'Classic mirrored queues are gone in RabbitMQ 4. Switching oslo.messaging to quorum queues today means stopping every service, deleting the vhost and starting again: a two-hour outage per region.',
		ask: 'A supported, per-service migration path (new vhost, services moved one at a time) with a guide.',
		ago: 198,
		group: LARGE_SCALE,
		fate: 'accepted',
		heat: 3
	},
	{
		title: 'Database connection storms when all nova-api workers restart together',
		kind: 'operations',
		component: 'nova',
		tags: ['scale', 'database'],
		context:
			'A rolling restart of nova-api still opens about 4,000 connections to the Galera cluster within seconds; max_connections is hit and the other services get refused.',
		ask: 'Lazy pool creation per worker, or a documented way to stagger workers under uWSGI.',
		ago: 190,
		group: LARGE_SCALE,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Cells v2: list servers across 12 cells takes 40 s for admins',
		kind: 'pain_point',
		component: 'nova',
		tags: ['scale', 'cells'],
		context:
			'openstack server list --all-projects walks every cell database one after another. With 12 cells and 90,000 instances the admin view in Horizon times out, and our on-call scripts time out with it.',
		ask: 'Query the cells in parallel with a per-cell timeout, and say which cells did not answer instead of failing.',
		ago: 176,
		group: LARGE_SCALE,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Neutron security group rule updates take minutes to reach 2,000 ports',
		kind: 'bug',
		component: 'neutron',
		tags: ['scale', 'ovn'],
		context:
			'Adding one rule to a default security group shared by a large tenant takes 3 to 6 minutes to be applied on every port with ML2/OVN. Customers open tickets because their new rule "does not work".',
		ask: 'Use OVN address sets and port groups for the whole group instead of per-port ACL updates.',
		ago: 168,
		group: LARGE_SCALE,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Archive and purge of deleted instances cannot keep up with 20,000 deletions a day',
		kind: 'operations',
		component: 'nova',
		tags: ['database', 'scale'],
		context:
			'nova-manage db archive_deleted_rows with --until-complete runs for hours and locks the instances table long enough to slow down boots. Our shadow tables are at 180 GB.',
		ask: 'Batching that keeps each transaction short, and a purge that can run every night without touching the live tables.',
		ago: 150,
		group: LARGE_SCALE,
		fate: 'accepted',
		heat: 1
	},
	{
		title: 'Expose oslo.messaging queue depth and consumer lag as Prometheus metrics',
		kind: 'feature',
		component: 'oslo-messaging',
		tags: ['observability', 'rabbitmq'],
		context: 'We only notice a stuck conductor when users complain. The RabbitMQ exporter shows queue depth but not which service is behind.',
		ask: 'Per-service consumer lag and RPC latency metrics from oslo.messaging itself.',
		ago: 131,
		group: LARGE_SCALE,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'nova-scheduler spends most of its time in the weighers on hosts with 256 CPUs',
		kind: 'pain_point',
		component: 'nova',
		tags: ['scale', 'scheduler'],
		context: 'Profiling shows 70 % of scheduling time in the RAM and CPU weighers once we added the new 256-core hosts. Nothing else changed.',
		ask: 'Cheaper weighers, or a way to weigh only the first few hundred candidates.',
		ago: 96,
		group: LARGE_SCALE,
		fate: 'triaged'
	},
	{
		title: 'Keystone token validation is 30 % of API latency with fernet keys on 9 nodes',
		kind: 'pain_point',
		component: 'keystone',
		tags: ['scale', 'performance'],
		context: 'Each service validates tokens on every call; memcache hit rates drop every time a fernet key rotates and latency doubles for an hour.',
		ask: 'Guidance on caching across key rotation, or validation that survives a rotation without a cold cache.',
		ago: 61,
		group: LARGE_SCALE,
		heat: 1
	},
	{
		title: 'RabbitMQ reconnect storm after a broker restart overloads nova-conductor',
		kind: 'bug',
		component: 'oslo-messaging',
		tags: ['rabbitmq', 'scale'],
		context: 'Same as we see at Helio: restart one broker and nova-conductor is unusable for a quarter of an hour while computes reconnect.',
		ask: 'Spread the reconnects.',
		ago: 120,
		group: LARGE_SCALE,
		duplicateOf: 'nova-conductor saturates RabbitMQ after a broker restart in cells with 1,000+ computes'
	},
	{
		title: 'Document tested limits per cell: computes, instances, conductors',
		kind: 'documentation',
		component: 'docs',
		tags: ['scale', 'cells'],
		context: 'Every large deployment asks how big a cell can get. The answers live in summit talks and IRC logs, never in the docs.',
		ask: 'A page in the operations guide with the numbers operators report, and the signs that a cell is too big.',
		ago: 24,
		group: LARGE_SCALE,
		heat: 1
	},

	// ---- Public Cloud SIG
	{
		title: 'Usage data for billing misses instances that were resized during the hour',
		kind: 'bug',
		component: 'ceilometer',
		tags: ['billing', 'public-cloud'],
		context:
			'When a customer resizes an instance, the polling cycle records the old flavor until the next poll, or neither flavor when the resize straddles two polls. We credit customers by hand every month.',
		ask: 'Emit usage on the resize.confirm notification so billing sees both flavors with their times.',
		ago: 209,
		group: PUBLIC_CLOUD,
		fate: 'accepted',
		heat: 3
	},
	{
		title: 'Per-project quota for floating IPs per network, not only in total',
		kind: 'feature',
		component: 'neutron',
		tags: ['quota', 'public-cloud'],
		context: 'Our public IPv4 pool is small and expensive. One project can take every address of one external network while another has room.',
		ask: 'Quotas per external network, set by the admin API.',
		ago: 183,
		group: PUBLIC_CLOUD,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Unified limits: migrating from legacy quotas loses per-project overrides',
		kind: 'bug',
		component: 'keystone',
		tags: ['quota', 'upgrade'],
		context:
			'The migration script moves default limits but drops the overrides we set for 600 customers. We found out when customers hit the default limit the morning after the upgrade.',
		ask: 'Migrate the overrides, and a dry run that lists what would change.',
		ago: 171,
		group: PUBLIC_CLOUD,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Suspend every resource of an abusive project with one API call',
		kind: 'feature',
		component: 'keystone',
		tags: ['abuse', 'public-cloud'],
		context:
			'When a card payment bounces or a project mines cryptocurrency, our support team runs a 40-line script across Nova, Neutron, Cinder and Octavia. It breaks on every upgrade.',
		ask: 'A project-level suspend that each service honours, reversible, with its reason recorded.',
		ago: 163,
		group: PUBLIC_CLOUD,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Octavia amphora images take 12 minutes to fail over under load',
		kind: 'bug',
		component: 'octavia',
		tags: ['ha', 'public-cloud'],
		context: 'With 3,000 load balancers, a compute node failure queues failovers one at a time; customers see their load balancer down for up to 12 minutes.',
		ask: 'Parallel failovers with a bound, and a failover priority for active-standby pairs.',
		ago: 142,
		group: PUBLIC_CLOUD,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Horizon: show customers their own quota usage before they hit the limit',
		kind: 'feature',
		component: 'horizon',
		tags: ['quota', 'self-service'],
		context: 'Half of our support tickets are "cannot create volume" with a quota error the dashboard shows only after the click.',
		ask: 'Usage bars on the launch forms, with a link to request more.',
		ago: 117,
		group: PUBLIC_CLOUD,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Glance image import from URL: no way to limit size or source per project',
		kind: 'feature',
		component: 'glance',
		tags: ['abuse', 'public-cloud'],
		context: 'Customers import 200 GB images from slow servers and the import workers are busy for hours for everyone else.',
		ask: 'Per-project size limits and concurrent import limits for web-download.',
		ago: 88,
		group: PUBLIC_CLOUD,
		fate: 'triaged'
	},
	{
		title: 'Billing records for volume type changes arrive a day late',
		kind: 'bug',
		component: 'ceilometer',
		tags: ['billing'],
		context: 'A retype from standard to SSD shows in our rating pipeline only at the next daily volume audit.',
		ask: 'Emit the usage event when the retype finishes.',
		ago: 47,
		group: PUBLIC_CLOUD
	},
	{
		title: 'Application credentials that expire and can be rotated without downtime',
		kind: 'feature',
		component: 'keystone',
		tags: ['security', 'self-service'],
		context:
			'Customers put application credentials in CI systems and never rotate them. We want to force expiry, but today rotation means a window with no valid secret.',
		ask: 'Two valid secrets per credential during rotation, and a maximum lifetime an operator can set.',
		ago: 33,
		group: PUBLIC_CLOUD,
		heat: 1
	},

	// ---- Edge WG
	{
		title: 'Compute nodes at edge sites drop out of the cell when the WAN link flaps',
		kind: 'bug',
		component: 'nova',
		tags: ['edge', 'ha'],
		context:
			'Our 212 far-edge sites have two compute nodes each and a 20 Mbit/s uplink. A 30-second flap marks the services down, the instances are reported as unknown and our orchestrator starts rebuilding them elsewhere.',
		ask: 'A per-aggregate service down time, and no state change for running instances while the link is down.',
		ago: 200,
		group: EDGE,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Glance multi-store: pre-seed images to 400 edge stores before a rollout',
		kind: 'feature',
		component: 'glance',
		tags: ['edge', 'images'],
		context: 'Booting at a store copies the image over the WAN at boot time. A rollout of a 4 GB image to 400 stores saturates every uplink for a day.',
		ask: 'Copy an image to a list of stores ahead of time, throttled, with progress per store.',
		ago: 158,
		group: EDGE,
		fate: 'accepted',
		heat: 1
	},
	{
		title: 'Run a two-node control plane at an edge site without RabbitMQ clustering',
		kind: 'pain_point',
		component: 'oslo-messaging',
		tags: ['edge', 'rabbitmq'],
		context: 'A three-node RabbitMQ cluster is more hardware than some of our sites have. Two nodes split-brain when the link between them drops.',
		ask: 'A supported two-node topology, or a messaging driver that tolerates it.',
		ago: 126,
		group: EDGE,
		fate: 'triaged'
	},
	{
		title: 'Upgrade 200 edge sites one at a time while the central region runs the next release',
		kind: 'operations',
		component: 'nova',
		tags: ['edge', 'upgrade'],
		context: 'Our central control plane is on 2025.1, the edge sites on 2024.1 and 2024.2. We are never sure which mixed versions are supported.',
		ask: 'A documented support matrix for mixed releases between a central region and edge computes.',
		ago: 84,
		group: EDGE,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Ironic: provision edge hardware over a 10 Mbit/s link without PXE',
		kind: 'feature',
		component: 'ironic',
		tags: ['edge', 'bare-metal'],
		context: 'Our shops have no PXE-capable network and a thin uplink. Virtual media works on some BMCs, but the deploy image is 900 MB.',
		ask: 'A smaller ramdisk and resumable virtual media transfers.',
		ago: 52,
		group: EDGE
	},
	{
		title: 'Store-and-forward notifications for disconnected edge sites',
		kind: 'feature',
		component: 'oslo-messaging',
		tags: ['edge'],
		context: 'While a site is offline, its notifications are dropped, so billing and inventory are wrong once it comes back.',
		ask: 'Buffer notifications locally and deliver them in order after reconnecting.',
		ago: 9,
		group: EDGE
	},

	// ---- Ops Meetups Team
	{
		title: 'A tested upgrade path that skips a release (SLURP) for Neutron with OVN',
		kind: 'documentation',
		component: 'docs',
		tags: ['upgrade', 'ovn'],
		context:
			'The upgrade session at the last ops meetup was full of people skipping from 2024.1 to 2025.1 who hit OVN schema problems. The release notes say SLURP is supported but nobody found a worked example.',
		ask: 'A step-by-step guide, with the OVN northbound schema steps, tested in the gate.',
		ago: 193,
		group: OPS_MEETUPS,
		fate: 'accepted',
		heat: 2,
		source: 'session'
	},
	{
		title: 'Migrating from ML2/OVS to ML2/OVN with instances running',
		kind: 'documentation',
		component: 'docs',
		tags: ['ovn', 'upgrade'],
		context: 'The migration tool exists but the guide assumes TripleO. Operators on Kolla and OpenStack-Ansible are writing their own runbooks from scratch.',
		ask: 'A deployment-tool-neutral guide, and a list of what breaks (MTU, metadata, DVR) and how to check it.',
		ago: 160,
		group: OPS_MEETUPS,
		fate: 'accepted',
		heat: 2,
		source: 'session'
	},
	{
		title: 'Deprecations should name the release they will be removed in',
		kind: 'operations',
		component: 'docs',
		tags: ['upgrade'],
		context:
			'“Deprecated, will be removed in a future release” gives us nothing to plan with. Twice this year an option we used disappeared one release later.',
		ask: 'Every deprecation warning names its removal release, and the release notes list removals first.',
		ago: 139,
		group: OPS_MEETUPS,
		fate: 'triaged',
		heat: 1,
		source: 'session'
	},
	{
		title: 'Instance HA without Pacemaker for small clouds',
		kind: 'feature',
		component: 'nova',
		tags: ['ha'],
		context: 'Masakari is hard to run for a team of two. Most of the room at the meetup just wanted instances restarted elsewhere when a host dies.',
		ask: 'A minimal evacuate-on-host-failure option that needs no extra cluster manager.',
		ago: 74,
		group: OPS_MEETUPS,
		source: 'session'
	},
	{
		title: 'Ops meetup: collect the "known bad" config options in one place',
		kind: 'documentation',
		component: 'docs',
		tags: ['configuration'],
		context:
			'Every meetup someone shares the options that silently hurt at scale (rpc_response_timeout, heal_instance_info_cache_interval, ...). They end up in an etherpad and are lost.',
		ask: 'A maintained page of options with operators’ recommended values and why.',
		ago: 14,
		group: OPS_MEETUPS,
		source: 'session'
	},

	// ---- Security SIG (closed)
	{
		title: 'Rotate the RabbitMQ and database passwords of a running cloud without downtime',
		kind: 'operations',
		component: 'oslo-messaging',
		tags: ['security', 'secrets'],
		context: 'Our auditors want service passwords rotated every 90 days. Today that means restarting every service at the same time.',
		ask: 'Services that accept two passwords during a rotation, or reload them on SIGHUP.',
		ago: 188,
		group: SECURITY,
		fate: 'accepted',
		heat: 1
	},
	{
		title: 'Metadata service reachable from instances of other projects on a misconfigured provider network',
		kind: 'bug',
		component: 'neutron',
		tags: ['security'],
		context: 'Under embargo: details in the linked private bug. Reproduced on 2024.2 and 2025.1 with ML2/OVN.',
		ask: 'A fix and an advisory; operators need a check to find affected networks.',
		ago: 112,
		group: SECURITY,
		fate: 'accepted'
	},
	{
		title: 'Audit log of admin API calls in a tamper-evident format',
		kind: 'feature',
		component: 'keystone',
		tags: ['security', 'compliance'],
		context: 'Regulators ask who changed a role assignment or a security group and when. CADF notifications exist but are not complete and can be lost.',
		ask: 'Complete CADF events for admin actions, delivered at least once.',
		ago: 66,
		group: SECURITY
	},

	// ---- User Committee (closed)
	{
		title: 'User survey: ask for deployment size in nodes, not in "cores"',
		kind: 'operations',
		component: 'docs',
		tags: ['survey'],
		context: 'Respondents read "cores" as physical, hyperthreaded or vCPUs; the answers cannot be compared between years.',
		ask: 'Change the question for next year’s survey and keep a mapping for old answers.',
		ago: 99,
		group: USER_COMMITTEE,
		fate: 'accepted',
		source: 'survey'
	},
	{
		title: 'Publish the survey’s anonymised answers per release, not only the charts',
		kind: 'feature',
		component: 'docs',
		tags: ['survey'],
		context: 'SIGs want to cross the release in use with the pain points named, and can only guess from the published charts.',
		ask: 'An anonymised export, aggregated where a group is smaller than ten answers.',
		ago: 40,
		group: USER_COMMITTEE
	},

	// ---- Needs filed outside any group
	{
		title: 'Live migration of instances with NVMe-backed volumes times out after 800 s',
		kind: 'bug',
		component: 'nova',
		tags: ['migration', 'storage'],
		context:
			'Live migrations of instances with more than four NVMe-oF volumes fail with a timeout in post-live-migration while the volumes are reconnected one by one on the destination.',
		ask: 'Reconnect the volumes in parallel, and make the timeout scale with the number of volumes.',
		ago: 217,
		fate: 'accepted',
		heat: 3
	},
	{
		title: 'Live-migrating VMs with many NVMe volumes fails in post_live_migration',
		kind: 'bug',
		component: 'nova',
		tags: ['migration'],
		context: 'Instances with 6 NVMe volumes never finish live migration for us; the log shows the 800 s timeout in post_live_migration_at_destination.',
		ask: 'Please fix the timeout.',
		ago: 160,
		duplicateOf: 'Live migration of instances with NVMe-backed volumes times out after 800 s'
	},
	{
		title: 'Evacuate fails for instances booted from volume when the source host is unreachable',
		kind: 'bug',
		component: 'nova',
		tags: ['ha', 'storage'],
		context: 'nova evacuate tries to detach the volume on the dead host first and waits for it. The instance stays in ERROR until we reset it by hand.',
		ask: 'Skip the source-side detach when the host is down and fenced.',
		ago: 211,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Cinder backup to Swift is single-threaded: 2 TB volumes take 30 hours',
		kind: 'pain_point',
		component: 'cinder',
		tags: ['backup', 'storage'],
		context: 'Our nightly backups of database volumes do not finish in a night. The backup service uses one stream per volume whatever the hardware.',
		ask: 'Parallel chunk uploads, configurable per backend.',
		ago: 207,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'NUMA-pinned instances cannot be live migrated between hosts of different CPU models',
		kind: 'feature',
		component: 'nova',
		tags: ['numa', 'migration'],
		context: 'Our telco workloads are pinned. We are replacing hardware and every instance has to be cold migrated with an outage the customer has to book.',
		ask: 'Live migration of pinned instances when the destination offers a compatible CPU model and topology.',
		ago: 203,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'vGPU instances lose their mediated device after a compute reboot',
		kind: 'bug',
		component: 'nova',
		tags: ['gpu'],
		context: 'After a host reboot the mdevs are not recreated, so the instances do not start until we recreate them by hand with the right UUIDs.',
		ask: 'nova-compute recreates the mdevs it had allocated when it starts.',
		ago: 199,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'OVN metadata agent leaks memory: 6 GB after two weeks on busy hosts',
		kind: 'bug',
		component: 'neutron',
		tags: ['ovn', 'memory'],
		context: 'The neutron-ovn-metadata-agent grows steadily on hosts with 150+ ports; we restart it weekly from cron.',
		ask: 'A fix; a heap profile from our hosts is attached to the mailing list thread.',
		ago: 195,
		fate: 'accepted',
		heat: 2,
		source: 'mailing_list'
	},
	{
		title: 'Ironic node cleaning fails on disks with leftover software RAID metadata',
		kind: 'bug',
		component: 'ironic',
		tags: ['bare-metal'],
		context: 'Nodes returned by a tenant who built md RAID arrays fail cleaning and go to clean failed; erase_devices does not remove the superblocks.',
		ask: 'Clean md superblocks and partition tables as part of metadata erase.',
		ago: 191,
		fate: 'accepted',
		heat: 1
	},
	{
		title: 'Rotate BMC credentials for 1,100 Ironic nodes without taking them out of service',
		kind: 'operations',
		component: 'ironic',
		tags: ['bare-metal', 'security'],
		context: 'Changing driver_info passwords requires maintenance mode in our workflow, which takes the node out of the scheduler.',
		ask: 'Update BMC credentials on active nodes, validated before they are stored.',
		ago: 186,
		fate: 'accepted',
		heat: 1
	},
	{
		title: 'Keystone LDAP backend: group membership sync takes 15 minutes for 40,000 users',
		kind: 'pain_point',
		component: 'keystone',
		tags: ['identity', 'ldap'],
		context: 'A user added to an LDAP group waits until the cache expires and then every listing is slow while it refills.',
		ask: 'Incremental group membership lookups, and a cache that refreshes in the background.',
		ago: 181,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Cinder volume retype between Ceph pools copies the whole volume through the host',
		kind: 'pain_point',
		component: 'cinder',
		tags: ['ceph', 'storage'],
		context: 'Retyping a 1 TB volume from HDD to SSD pool in the same Ceph cluster copies it through the cinder-volume host at 200 MB/s.',
		ask: 'Use RBD live migration inside the same cluster.',
		ago: 178,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Federated login with OIDC: mapping rules cannot use nested group claims',
		kind: 'feature',
		component: 'keystone',
		tags: ['identity', 'federation'],
		context: 'Our identity provider (Keycloak) sends groups as nested paths. Mapping rules only match flat strings, so we maintain 300 rules.',
		ask: 'Regular expressions or path prefixes in mapping rules for group claims.',
		ago: 174,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Floating IP port forwarding rules are not applied after an L3 agent failover',
		kind: 'bug',
		component: 'neutron',
		tags: ['ha', 'networking'],
		context: 'With ML2/OVS and L3 HA, port forwardings disappear when the router moves to the standby agent until the agent is restarted.',
		ask: 'Resync port forwarding on failover.',
		ago: 170,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Heat stack updates replace servers when only their metadata changed',
		kind: 'bug',
		component: 'heat',
		tags: ['orchestration'],
		context: 'Changing a tag in the template replaces every server in the stack. Customers lose data on ephemeral disks.',
		ask: 'Update metadata in place; never replace for a metadata-only change.',
		ago: 166,
		fate: 'declined',
		heat: 1
	},
	{
		title: 'Server groups: soft anti-affinity should spread across racks, not only hosts',
		kind: 'feature',
		component: 'nova',
		tags: ['scheduler', 'ha'],
		context: 'Our databases run in anti-affinity groups, but three hosts in one rack share a top-of-rack switch that took all of them down.',
		ask: 'Anti-affinity over an aggregate or trait (rack, power domain).',
		ago: 162,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Glance image cache fills the disk on compute nodes with many image versions',
		kind: 'operations',
		component: 'glance',
		tags: ['images', 'storage'],
		context: 'Our CI customers upload a new image every day; the cache on computes reaches 500 GB and the cleanup periodic task only runs once a day.',
		ask: 'A size-based cache limit enforced when caching, not once a day.',
		ago: 157,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Resize to the same host fails when the flavor adds a PCI device',
		kind: 'bug',
		component: 'nova',
		tags: ['pci'],
		context: 'allow_resize_to_same_host is on, but adding an SR-IOV port via a flavor change fails the claim on the same host even when a VF is free.',
		ask: 'Count the instance’s own allocation when claiming on the same host.',
		ago: 153,
		fate: 'new'
	},
	{
		title: 'Octavia: TLS certificates from Barbican are not refreshed after renewal',
		kind: 'bug',
		component: 'octavia',
		tags: ['tls', 'security'],
		context: 'When the customer renews a certificate in the same Barbican container, the listener keeps serving the old one until failover.',
		ask: 'Watch the container and push the new certificate to the amphorae.',
		ago: 149,
		fate: 'accepted',
		heat: 1
	},
	{
		title: 'Placement: inventories of shared storage providers drift after a Ceph expansion',
		kind: 'bug',
		component: 'placement',
		tags: ['ceph', 'scheduler'],
		context: 'After adding OSDs, the DISK_GB inventory of the sharing provider keeps its old total until every compute restarts.',
		ask: 'Refresh shared provider inventories on a timer.',
		ago: 145,
		fate: 'triaged'
	},
	{
		title: 'Instance console logs are truncated at 100 KB, losing the kernel panic',
		kind: 'pain_point',
		component: 'nova',
		tags: ['troubleshooting'],
		context: 'When an instance panics at boot, the interesting part is always at the end, after the limit.',
		ask: 'Keep the last 100 KB, not the first, or make the limit configurable.',
		ago: 141,
		fate: 'new',
		heat: 1
	},
	{
		title: 'DHCP agents take 40 minutes to resync 3,000 networks after a restart',
		kind: 'pain_point',
		component: 'neutron',
		tags: ['scale', 'networking'],
		context: 'During the resync new ports get no address. We schedule restarts of the DHCP agents at night because of it.',
		ask: 'Resync in parallel, newest ports first.',
		ago: 137,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Cinder multi-attach volumes cannot be extended while attached',
		kind: 'feature',
		component: 'cinder',
		tags: ['storage'],
		context: 'Our cluster file systems use multi-attach volumes. Extending one means detaching it from every node.',
		ask: 'Online extend for multi-attach volumes on backends that support it.',
		ago: 133,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Keystone: application credentials should be able to create other application credentials',
		kind: 'feature',
		component: 'keystone',
		tags: ['identity', 'automation'],
		context: 'Our Kubernetes clusters bootstrap with an application credential and need to create narrower ones for each add-on.',
		ask: 'An explicit, off-by-default permission for this.',
		ago: 129,
		fate: 'declined'
	},
	{
		title: 'Horizon instance list takes 20 s for projects with 3,000 instances',
		kind: 'pain_point',
		component: 'horizon',
		tags: ['performance'],
		context: 'The page loads every instance’s flavor and image one call at a time before it renders the first page.',
		ask: 'Fetch flavors and images in bulk, and paginate on the server.',
		ago: 124,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Neutron: port binding failures give no reason in the API',
		kind: 'operations',
		component: 'neutron',
		tags: ['troubleshooting'],
		context: 'binding:vif_type=binding_failed is all the user sees. We grep the logs of every agent to find out why.',
		ask: 'The reason of the last binding failure on the port, readable by admins.',
		ago: 121,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Nova: bulk cold migration to drain a host, with progress',
		kind: 'feature',
		component: 'nova',
		tags: ['maintenance', 'migration'],
		context: 'Draining a host before firmware updates is a script that migrates instances one by one and cannot be resumed.',
		ask: 'A host drain operation with a concurrency limit and progress you can query.',
		ago: 118,
		fate: 'accepted',
		heat: 1
	},
	{
		title: 'Firmware updates through Ironic for Dell and HPE servers in one workflow',
		kind: 'feature',
		component: 'ironic',
		tags: ['bare-metal', 'maintenance'],
		context: 'Firmware steps exist for Redfish, but each vendor needs different images and ordering; we still use vendor tools outside Ironic.',
		ask: 'Documented, vendor-tested firmware update steps in cleaning.',
		ago: 114,
		fate: 'triaged'
	},
	{
		title: 'Rebuild of a volume-backed instance ignores the new image',
		kind: 'bug',
		component: 'nova',
		tags: ['storage'],
		context: 'Since the volume-backed rebuild feature landed, our customers expect it to work; with Ceph it keeps the old root disk silently.',
		ask: 'Reimage the volume, or refuse with a clear error when the backend cannot.',
		ago: 110,
		fate: 'accepted',
		heat: 1
	},
	{
		title: 'Token revocation events slow every API call after a mass password reset',
		kind: 'bug',
		component: 'keystone',
		tags: ['identity', 'performance'],
		context: 'After a password reset for 5,000 users (an incident), the revocation list grew and every token validation slowed down for a week.',
		ask: 'Prune revocation events older than the longest token lifetime.',
		ago: 106,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Cinder: backups of in-use Ceph volumes are crash-consistent only',
		kind: 'documentation',
		component: 'docs',
		tags: ['backup', 'ceph'],
		context: 'Customers assume backups are application-consistent. The docs do not say otherwise.',
		ask: 'Say it in the user guide, with how to quiesce through the guest agent.',
		ago: 103,
		fate: 'new'
	},
	{
		title: 'Neutron: rate limit API calls per project to protect the server from runaway automation',
		kind: 'feature',
		component: 'neutron',
		tags: ['abuse', 'api'],
		context: 'A customer’s Terraform loop listed ports 50 times a second for a day. The neutron-server load made everyone’s calls slow.',
		ask: 'Per-project rate limits in the API, configurable by the operator.',
		ago: 101,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Instances with config drive cannot be live migrated with ceph-backed ephemeral disks',
		kind: 'bug',
		component: 'nova',
		tags: ['migration', 'ceph'],
		context: 'The config drive is a local file, so the migration refuses to go without block migration.',
		ask: 'Store config drives in RBD when the ephemeral backend is RBD.',
		ago: 97,
		fate: 'new'
	},
	{
		title: 'Heat: nested stacks hit the default depth limit for our Kubernetes templates',
		kind: 'pain_point',
		component: 'heat',
		tags: ['orchestration'],
		context: 'Our cluster templates nest six levels deep; the default max_nested_stack_depth of 5 fails them with an error that does not name the setting.',
		ask: 'Name the setting in the error.',
		ago: 93,
		fate: 'declined'
	},
	{
		title: 'Octavia provider driver for OVN does not support health monitors on UDP',
		kind: 'feature',
		component: 'octavia',
		tags: ['ovn', 'networking'],
		context: 'Our DNS and VoIP customers need UDP load balancing with health checks; amphorae are too heavy for them.',
		ask: 'UDP health monitors in the OVN provider.',
		ago: 89,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Nova compute service version checks block a rolling upgrade across three releases',
		kind: 'bug',
		component: 'nova',
		tags: ['upgrade'],
		context: 'Computes two releases behind refuse to start after the control plane upgrade, so our rolling upgrade needs a flag day.',
		ask: 'A clear minimum version and an error that names the oldest service blocking.',
		ago: 86,
		fate: 'accepted',
		heat: 1
	},
	{
		title: 'Neutron: IPv6 prefix delegation for tenant networks in production',
		kind: 'feature',
		component: 'neutron',
		tags: ['ipv6', 'networking'],
		context: 'We give customers IPv6 but manage subnet pools by hand. PD exists but is experimental and unsupported with OVN.',
		ask: 'Supported prefix delegation with OVN.',
		ago: 81,
		fate: 'triaged',
		heat: 2
	},
	{
		title: 'Placement: no way to see why a host was not a candidate',
		kind: 'operations',
		component: 'placement',
		tags: ['scheduler', 'troubleshooting'],
		context: '"No valid host" tells us nothing. We reconstruct the allocation candidates query by hand to find the missing trait.',
		ask: 'A debug mode that says which filter or resource removed each host.',
		ago: 78,
		fate: 'accepted',
		heat: 2
	},
	{
		title: 'Glance: image conversion to raw on import runs out of staging space',
		kind: 'bug',
		component: 'glance',
		tags: ['images', 'ceph'],
		context: 'With image conversion on, a 60 GB qcow2 needs 60 GB of staging for the raw copy plus the original, on the API node’s disk.',
		ask: 'Stream the conversion into the store, or check free space before accepting the upload.',
		ago: 72,
		fate: 'triaged'
	},
	{
		title: 'Live migration downtime spikes to 9 s for instances with huge pages',
		kind: 'pain_point',
		component: 'nova',
		tags: ['migration', 'numa'],
		context: 'Memory-heavy instances with 1 GB pages stop for several seconds at switchover; our SLA allows one.',
		ask: 'Post-copy by default for such instances, or a documented tuning.',
		ago: 69,
		fate: 'new',
		heat: 1
	},
	{
		title: 'Cinder: snapshots of Ceph volumes cannot be deleted while a clone exists',
		kind: 'bug',
		component: 'cinder',
		tags: ['ceph', 'storage'],
		context: 'Customers delete a snapshot and it stays in error_deleting because a volume was created from it.',
		ask: 'Flatten the clone in the background, or refuse the delete with a clear message.',
		ago: 64,
		fate: 'triaged',
		heat: 1
	},
	{
		title: 'Keystone: no audit of role assignments made through implied roles',
		kind: 'operations',
		component: 'keystone',
		tags: ['security', 'identity'],
		context: 'Role assignment listings show direct assignments only; our auditors want the effective roles per user.',
		ask: 'An effective-roles report for a project.',
		ago: 58,
		fate: 'new'
	},
	{
		title: 'Nova: instance actions list is not paginated and times out for old instances',
		kind: 'bug',
		component: 'nova',
		tags: ['api'],
		context: 'Long-lived instances with thousands of actions make the action list time out in Horizon.',
		ask: 'Paginate instance actions in the API and the dashboard.',
		ago: 55,
		fate: 'new'
	},
	{
		title: 'Upgrade notes should list config options whose defaults changed',
		kind: 'documentation',
		component: 'docs',
		tags: ['upgrade', 'configuration'],
		context: 'A changed default in 2025.1 doubled our conductor count. It was in a commit message, not in the release notes.',
		ask: 'Generate the list of changed defaults for every release.',
		ago: 50,
		fate: 'triaged',
		heat: 2
	},
	{
		title: 'Ironic: deploy fails silently when the image checksum algorithm is not md5',
		kind: 'bug',
		component: 'ironic',
		tags: ['bare-metal'],
		context: 'Images registered with sha512 fail at the end of the deploy with a generic error.',
		ask: 'Support the checksum Glance gives, and name it in the error.',
		ago: 44,
		fate: 'new'
	},
	{
		title: 'Neutron: trunk ports cannot be migrated between OVS and OVN hosts',
		kind: 'bug',
		component: 'neutron',
		tags: ['ovn', 'migration'],
		context: 'During our migration to OVN, instances with trunk ports cannot move to the converted hosts.',
		ask: 'Support trunk ports in the migration tool.',
		ago: 38,
		fate: 'new',
		heat: 1
	},
	{
		title: 'Nova: per-flavor limit on concurrent builds to protect the image store',
		kind: 'feature',
		component: 'nova',
		tags: ['scale', 'images'],
		context: 'When a customer boots 500 GPU instances at once, every compute pulls the same 40 GB image and the image store falls over.',
		ask: 'A limit on concurrent builds per image or flavor, queueing the rest.',
		ago: 35,
		fate: 'new',
		heat: 1
	},
	{
		title: 'Cinder: report the real provisioned capacity of thin pools to the scheduler',
		kind: 'bug',
		component: 'cinder',
		tags: ['storage', 'scheduler'],
		context: 'Our thin pools are 300 % provisioned; the scheduler keeps placing volumes there because it sees free physical space.',
		ask: 'Use provisioned capacity with max_over_subscription_ratio consistently across drivers.',
		ago: 30,
		fate: 'new'
	},
	{
		title: 'Horizon: let users download their application credential as a clouds.yaml',
		kind: 'feature',
		component: 'horizon',
		tags: ['self-service'],
		context: 'Users copy the secret into a clouds.yaml by hand and get the auth URL wrong.',
		ask: 'A download button that writes a complete clouds.yaml.',
		ago: 27,
		fate: 'new',
		heat: 1
	},
	{
		title: 'OVN: north-south traffic of distributed floating IPs bypasses QoS limits',
		kind: 'bug',
		component: 'neutron',
		tags: ['ovn', 'qos'],
		context: 'Bandwidth limits on floating IPs work on centralized routers but not when the floating IP is distributed.',
		ask: 'Apply the QoS policy on the chassis that hosts the port.',
		ago: 21,
		fate: 'new',
		heat: 1
	},
	{
		title: 'Document the image properties for Windows guests (Hyper-V enlightenments)',
		kind: 'documentation',
		component: 'docs',
		tags: ['windows', 'images'],
		context: 'Our Windows customers need hv_* enlightenments for decent performance. The properties exist but we found them in the code.',
		ask: 'A page listing the image properties for Windows guests, with what each does.',
		ago: 18,
		fate: 'new'
	},
	{
		title: 'Nova: show the host aggregate of each instance to admins in the API',
		kind: 'feature',
		component: 'nova',
		tags: ['api', 'troubleshooting'],
		context: 'During incidents we need to know which instances sit in the affected aggregate; today it is three API calls per instance.',
		ask: 'Filter the servers list by aggregate.',
		ago: 12,
		fate: 'new'
	},
	{
		title: 'Neutron: floating IP association takes 15 s under load with OVN',
		kind: 'pain_point',
		component: 'neutron',
		tags: ['ovn', 'performance'],
		context: 'Customers with autoscaling groups see their new instances unreachable for up to 15 seconds after association.',
		ask: 'Profile and shorten the path from API call to NAT rule.',
		ago: 8,
		fate: 'new'
	},
	{
		title: 'Keystone: limit the number of projects a domain admin can create',
		kind: 'feature',
		component: 'keystone',
		tags: ['quota', 'identity'],
		context: 'Our resellers get a domain each. One created 4,000 empty projects by script.',
		ask: 'A per-domain project limit in unified limits.',
		ago: 5,
		fate: 'new'
	},
	{
		title: 'Cinder: volume transfer between projects keeps the old project’s QoS spec',
		kind: 'bug',
		component: 'cinder',
		tags: ['storage', 'qos'],
		context: 'After a transfer, the volume still carries the QoS of the giving project, which the receiving project cannot see or change.',
		ask: 'Reset or re-evaluate QoS on transfer.',
		ago: 3,
		fate: 'new'
	},
	{
		title: 'Octavia: allow changing the flavor of a running load balancer',
		kind: 'feature',
		component: 'octavia',
		tags: ['self-service'],
		context: 'Customers who outgrow a small load balancer have to create a new one and change their DNS.',
		ask: 'Resize by failing over to amphorae of the new flavor.',
		ago: 2,
		fate: 'new'
	}
];
