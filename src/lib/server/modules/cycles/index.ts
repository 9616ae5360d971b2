export * from './cycles.tables.ts';
export * from './cycles.queries.ts';
export * from './cycles.schemas.ts';
export * from './cycles.policy.ts';
export * from './cycles.commands.ts';

import { defineModule } from '#lib/server/platform/module.ts';
import * as m0700 from './migrations/20261126_0700_cycles.ts';
import { cyclesOperations } from './cycles.api.ts';

/** What the cycles module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'cycles',
	migrations: {
		'20261126_0700_cycles': m0700
	},
	operations: cyclesOperations,
	factories: () => import('./cycles.factories.ts')
});
