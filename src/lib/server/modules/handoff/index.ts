// The public surface: what routes and other modules may use, by name (docs/architecture.md, "Crossing modules").
export { type HandoffTables } from './handoff.tables.ts';
export { type Handoff } from './handoff.model.ts';
export {
	type CreateHandoffInput,
	type DraftInput,
	type LinkHandoffInput,
	type SandboxMoveInput,
	type TrackerEnabledInput,
	type TrackerInput
} from './handoff.schemas.ts';
export { mayAdministerTrackers, mayHandOff, mayListTrackers } from './handoff.policy.ts';
export {
	availableProviders,
	createTracker,
	getTrackerForAdmin,
	listTrackerChoices,
	listTrackersForAdmin,
	setTrackerEnabled,
	updateTracker
} from './handoff.trackers.ts';
export { POLL_EVERY_MS, describeChange, needStatusFromHandoffs, queueTrackerSyncs, receiveWebhook } from './handoff.sync.ts';
export { type DraftResult, createHandoff, draftHandoff, linkHandoff, syncNeed } from './handoff.commands.ts';
export { getHandoffPage, hasStalledHandoff, listHandoffsOfNeed, oldestOpenUpstreamChange } from './handoff.queries.ts';
export {
	type SandboxIssue,
	type SandboxIssueSummary,
	type SandboxTrackerView,
	getSandboxIssue,
	listSandboxIssues,
	moveSandboxIssue
} from './handoff.sandbox.ts';
export { SANDBOX_STATE_WORDS } from './providers/sandbox.ts';
export { PROVIDERS } from './providers/index.ts';
export {
	TrackerError,
	type HandoffDraft,
	type NeedEvidence,
	type TrackerConnection,
	type TrackerProviderImpl,
	type UpstreamItem,
	type WebhookDelivery
} from './providers/provider.ts';
// Other modules calling a forge (the champions' pull request refresher) use the same HTTP handling.
export { failOnError, parseJson, trackerRequest } from './providers/tracker-http.ts';

import { defineModule, tablesOf } from '#lib/server/platform/module.ts';
import type { HandoffTables } from './handoff.tables.ts';
import * as m0800 from './migrations/20261126_0800_handoff.ts';
import * as m1900 from './migrations/20261204_1900_sandbox_tracker.ts';
import { handoffOperations } from './handoff.api.ts';
import { syncJobs } from './handoff.sync.ts';
import { orphanJobs } from './handoff.commands.ts';
import { handoffCommands } from './handoff.cli.ts';

/** What the handoff module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'handoff',
	tables: tablesOf<HandoffTables>(),
	migrations: {
		'20261126_0800_handoff': m0800,
		'20261204_1900_sandbox_tracker': m1900
	},
	operations: handoffOperations,
	jobs: { ...syncJobs, ...orphanJobs },
	commands: handoffCommands,
	demoSeed: async () => (await import('./handoff.seed.ts')).seedDemo,
	factories: () => import('./handoff.factories.ts')
});
