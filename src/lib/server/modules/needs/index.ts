export * from './needs.tables.ts';
export * from './needs.schemas.ts';
export * from './needs.policy.ts';
export * from './needs.visibility.ts';
export * from './needs.access.ts';
export * from './needs.queries.ts';
export * from './needs.commands.ts';
export * from './needs.supports.ts';
export * from './needs.comments.ts';
export * from './needs.triage.ts';
export * from './needs.history.ts';
export * from './needs.upstream.ts';
export * from './needs.trending.ts';

import { onMemberEvidenceChanged } from '#lib/server/platform/hooks.ts';
import { lockNeedsForEvidence } from './needs.supports.ts';

// A member's organization or a deployment's size changing moves the stored supporter facts of the needs
// they support (see `recountSupport`); the members module calls this hook in the change's transaction.
onMemberEvidenceChanged(lockNeedsForEvidence);
