export * from './champions.tables.ts';
export * from './champions.urls.ts';
export * from './champions.schemas.ts';
export * from './champions.policy.ts';
export * from './champions.commands.ts';
export * from './champions.queries.ts';
export * from './accountability.queries.ts';
export * from './champions.refresh.ts';

import { defineModule } from '#lib/server/platform/module.ts';
import * as m0900 from './migrations/20261126_0900_champions.ts';
import { championsOperations } from './champions.api.ts';
import { championsJobs } from './champions.refresh.ts';

/** What the champions module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'champions',
	migrations: {
		'20261126_0900_champions': m0900
	},
	operations: championsOperations,
	jobs: championsJobs,
	demoSeed: async () => (await import('./champions.seed.ts')).seedDemo,
	factories: () => import('./champions.factories.ts'),
	navigation: [{ href: '/accountability', label: 'Accountability', order: 30 }]
});
