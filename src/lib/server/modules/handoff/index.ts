export * from './handoff.tables.ts';
export * from './handoff.schemas.ts';
export * from './handoff.policy.ts';
export * from './handoff.trackers.ts';
export * from './handoff.evidence.ts';
export * from './handoff.sync.ts';
export * from './handoff.commands.ts';
export * from './handoff.queries.ts';
export { PROVIDERS } from './providers/index.ts';
export { TrackerError, type HandoffDraft, type NeedEvidence, type TrackerConnection, type TrackerProviderImpl, type UpstreamItem, type WebhookDelivery } from './providers/provider.ts';
// Other modules calling a forge (the champions' pull request refresher) use the same HTTP handling.
export { failOnError, parseJson, trackerRequest } from './providers/tracker-http.ts';

import { defineModule } from '#lib/server/platform/module.ts';
import * as m0800 from './migrations/20261126_0800_handoff.ts';
import { handoffOperations } from './handoff.api.ts';
import { syncJobs } from './handoff.sync.ts';
import { orphanJobs } from './handoff.commands.ts';
import { handoffCommands } from './handoff.cli.ts';

/** What the handoff module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'handoff',
	migrations: {
		'20261126_0800_handoff': m0800
	},
	operations: handoffOperations,
	jobs: { ...syncJobs, ...orphanJobs },
	commands: handoffCommands,
	factories: () => import('./handoff.factories.ts')
});
