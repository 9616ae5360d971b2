// The public surface: what routes and other modules may use, by name (docs/architecture.md, "Crossing modules").
export { type PrioritiesTables } from './priorities.tables.ts';
export { type PriorityList, type Round } from './priorities.model.ts';
export { type BallotInput, type OpenRoundInput, type PublishInput, RANK_FIELD, rankingFromForm } from './priorities.schemas.ts';
export { mayReadRound, mayVote } from './priorities.policy.ts';
export { type RoundResult } from './priorities.tally.ts';
export { getPublishedList, listName, listPublishedLists, priorityRanksOfNeed } from './priorities.lists.ts';
export { exportList, exportPublishedList } from './priorities.export.ts';
export { eligibleNeeds, getGroupPriorities, getRoundPage, groupPriorityCounts, listRounds, myBallot, readableNeedIds } from './priorities.queries.ts';
export { castBallot, closeDueRounds, closeRound, closeRoundIfDue, openRound, publishList, withdrawBallot } from './priorities.commands.ts';

import { defineModule, tablesOf } from '#lib/server/platform/module.ts';
import type { PrioritiesTables } from './priorities.tables.ts';
import * as m0710 from './migrations/20261126_0710_priorities.ts';
import { prioritiesOperations } from './priorities.api.ts';
import { prioritiesJobs } from './priorities.jobs.ts';
import { prioritiesCommands } from './priorities.cli.ts';

/** What the priorities module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'priorities',
	tables: tablesOf<PrioritiesTables>(),
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
