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
