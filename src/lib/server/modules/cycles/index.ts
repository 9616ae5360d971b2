// The public surface: what routes and other modules may use, by name (docs/architecture.md, "Crossing modules").
export { type CycleRow, type CyclesTables } from './cycles.tables.ts';
export { type Cycle, cycleOn, findCycle, findCycleById, listCycles } from './cycles.queries.ts';
export { type CycleInput, type CycleUpdateInput, cycleSlug } from './cycles.schemas.ts';
export { mayManageCycles, mayReadCycles, requireManageCycles } from './cycles.policy.ts';
export { createCycle, updateCycle } from './cycles.commands.ts';

import { defineModule, tablesOf } from '#lib/server/platform/module.ts';
import type { CyclesTables } from './cycles.tables.ts';
import * as m0700 from './migrations/20261126_0700_cycles.ts';
import { cyclesOperations } from './cycles.api.ts';

/** What the cycles module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'cycles',
	tables: tablesOf<CyclesTables>(),
	migrations: {
		'20261126_0700_cycles': m0700
	},
	operations: cyclesOperations,
	factories: () => import('./cycles.factories.ts')
});
