export * from './priorities.tables.ts';
export * from './priorities.schemas.ts';
export * from './priorities.policy.ts';
export * from './priorities.access.ts';
export * from './priorities.tally.ts';
export * from './priorities.lists.ts';
export * from './priorities.export.ts';
export * from './priorities.queries.ts';
export * from './priorities.commands.ts';

import { defineModule } from '#lib/server/platform/module.ts';
import * as m0710 from './migrations/20261126_0710_priorities.ts';
import { prioritiesOperations } from './priorities.api.ts';
import { prioritiesJobs } from './priorities.jobs.ts';
import { prioritiesCommands } from './priorities.cli.ts';

/** What the priorities module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'priorities',
	migrations: {
		'20261126_0710_priorities': m0710
	},
	operations: prioritiesOperations,
	jobs: prioritiesJobs,
	commands: prioritiesCommands,
	demoSeed: async () => (await import('./priorities.seed.ts')).seedDemo,
	factories: () => import('./priorities.factories.ts'),
	navigation: [{ href: '/priorities', label: 'Priorities', order: 20 }]
});
