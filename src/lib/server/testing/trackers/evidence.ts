import type { NeedEvidence, TrackerConnection } from '#lib/server/modules/handoff/providers/provider.ts';

/** Evidence for a need as the handoff module gathers it, with values that exercise escaping in every markup. */
export function sampleEvidence(overrides: Partial<NeedEvidence> = {}): NeedEvidence {
	return {
		need: {
			id: 42,
			title: 'Live-migrate instances with vGPUs attached',
			body: [
				'Operators cannot drain a **GPU host** for maintenance: `nova live-migration` refuses instances with vGPUs.',
				'',
				'## Steps',
				'',
				'1. Boot an instance with a `resources:VGPU=1` flavor',
				'2. Try to live-migrate it',
				'',
				'See [the nova docs](https://docs.openstack.org/nova/latest/admin/virtual-gpu.html).'
			].join('\n'),
			kind: 'feature',
			url: 'https://caucus.example/needs/42',
			components: ['nova', 'placement'],
			releases: ['2025.1', '2025.2'],
			tags: ['gpu'],
			group: 'Large Scale SIG'
		},
		support: {
			people: 42,
			organizations: 17,
			deployments: 23,
			nodes: 1200,
			instances: 30000,
			bySegment: [
				{ segment: 'operator', label: 'Operators', people: 30 },
				{ segment: 'vendor', label: 'Vendors', people: 8 },
				{ segment: 'developer', label: 'Developers', people: 4 }
			]
		},
		deployments: [
			{ name: 'Acme | Cloud *EU*', organization: 'Acme Inc.', nodes: 800, instances: 20000, releases: ['2025.1'] },
			{ name: 'research_cloud', organization: null, nodes: null, instances: 900, releases: [] }
		],
		impacts: [{ member: 'Alice Operator', note: 'We keep 40 GPU hosts out of rotation for weeks [every] quarter.' }],
		sessions: [{ title: 'Ops meetup: GPUs', url: 'https://caucus.example/gatherings/7/sessions/3' }],
		surveyFigures: [{ label: 'Use vGPUs in production', value: '31%', url: 'https://caucus.example/surveys/2/results#q4' }],
		priority: { list: 'Ops priorities 2027.1, v1', rank: 2, of: 12, url: 'https://caucus.example/priorities/5/v1' },
		...overrides
	};
}

export function trackerConnection(overrides: Partial<TrackerConnection> & Pick<TrackerConnection, 'provider' | 'baseUrl' | 'project'>): TrackerConnection {
	return {
		id: 1,
		name: `${overrides.provider} tracker`,
		settings: {},
		credentials: null,
		webhookSecret: null,
		...overrides
	};
}
