export * from './groups.tables.ts';
export * from './groups.schemas.ts';
export * from './groups.policy.ts';
export * from './groups.queries.ts';
export * from './groups.visibility.ts';
export * from './groups.commands.ts';

import { defineModule } from '#lib/server/platform/module.ts';
import * as m0200 from './migrations/20261125_0200_groups.ts';
import { groupsOperations } from './groups.api.ts';

/** What the groups module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'groups',
	migrations: {
		'20261125_0200_groups': m0200
	},
	operations: groupsOperations,
	demoSeed: async () => (await import('./groups.seed.ts')).seedDemo,
	factories: () => import('./groups.factories.ts'),
	navigation: [{ href: '/groups', label: 'Groups', order: 40 }]
});
