import type { Operation } from '#lib/server/platform/http/api.ts';
import { membersOperations } from '#lib/server/modules/members/members.api.ts';
import { groupsOperations } from '#lib/server/modules/groups/groups.api.ts';
import { needsActionOperations } from '#lib/server/modules/needs/needs.actions.api.ts';
import { needsBoardOperations } from '#lib/server/modules/needs/needs.api.ts';
import { prioritiesOperations } from '#lib/server/modules/priorities/priorities.api.ts';
import { cyclesOperations } from '#lib/server/modules/cycles/cycles.api.ts';
import { handoffOperations } from '#lib/server/modules/handoff/handoff.api.ts';
import { championsOperations } from '#lib/server/modules/champions/champions.api.ts';

/** Every operation of the JSON API, in the order the OpenAPI document lists them. */
export const operations: readonly Operation[] = [
	...membersOperations,
	...groupsOperations,
	...needsBoardOperations,
	...needsActionOperations,
	...cyclesOperations,
	...prioritiesOperations,
	...handoffOperations,
	...championsOperations
];
