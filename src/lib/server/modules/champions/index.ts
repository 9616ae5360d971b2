// The public surface: what routes and other modules may use, by name (docs/architecture.md, "Crossing modules").
export { type ChampionsTables } from './champions.tables.ts';
export { type Champion, type ChampionInvitation, type UpstreamChange } from './champions.model.ts';
export {
	type AcceptInvitationInput,
	type ChangeStateInput,
	type InviteChampionInput,
	type LinkChangeInput,
	type RemoveChampionInput,
	type VolunteerInput
} from './champions.schemas.ts';
export { changeLabel } from './champions.urls.ts';
export { mayVolunteer } from './champions.policy.ts';
export {
	acceptInvitation,
	declineInvitation,
	inviteChampion,
	linkChange,
	removeChampion,
	setChangeState,
	unlinkChange,
	volunteer,
	withdraw,
	withdrawInvitation
} from './champions.commands.ts';
export { WANTED_STATUSES, type NeedChampions, type WantedList, getNeedChampions, listNeedsWithoutChampion, wantedInput } from './champions.queries.ts';
export { type Dashboard, type Metric, dashboardInput, getDashboard, listAccountabilityNeeds } from './accountability.queries.ts';

import { defineModule, tablesOf } from '#lib/server/platform/module.ts';
import type { ChampionsTables } from './champions.tables.ts';
import * as m0900 from './migrations/20261126_0900_champions.ts';
import * as m1910 from './migrations/20261204_1910_champion_invitations.ts';
import { championsOperations } from './champions.api.ts';
import { championsJobs } from './champions.refresh.ts';

/** What the champions module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'champions',
	tables: tablesOf<ChampionsTables>(),
	migrations: {
		'20261126_0900_champions': m0900,
		'20261204_1910_champion_invitations': m1910
	},
	operations: championsOperations,
	jobs: championsJobs,
	demoSeed: async () => (await import('./champions.seed.ts')).seedDemo,
	factories: () => import('./champions.factories.ts'),
	navigation: [{ href: '/accountability', label: 'Accountability', order: 30 }]
});
