// The public surface: what routes and other modules may use, by name (docs/architecture.md, "Crossing modules").
export { END_STATUSES, NEED_STATUSES, type NeedKind, type NeedRow, type NeedStatus, type NeedsTables, type SourceChannel } from './needs.tables.ts';
export { type Need, type NeedMerge, toNeed } from './needs.model.ts';
export type {
	ChangeStatusInput,
	CommentInput,
	CreateComponentInput,
	EditNeedInput,
	FileNeedInput,
	MergeNeedInput,
	ReasonInput,
	SplitNeedInput,
	SupportNeedInput,
	TriageAction,
	TriageManyInput,
	UpdateComponentInput
} from './needs.schemas.ts';
export { STATUS_REASON_MIN, STATUS_REASON_RULE, TRIAGE_ACTIONS } from './needs.schemas.ts';
export { type NeedFacts, mayFileNeed, mayModerateNeed, mayReadNeed, needAbilities } from './needs.policy.ts';
export { needReadableBy } from './needs.visibility.ts';
export { type NeedAccess, type NeedOrAccess, loadNeedAccess, needFacts, resolveNeedAccess } from './needs.access.ts';
export {
	type Board,
	type BoardRow,
	type BoardSort,
	boardInput,
	componentsOfNeeds,
	findComponentBySlug,
	getNeedPage,
	groupIdOfNeed,
	homeNeeds,
	listBoard,
	listComponents,
	lockNeedsForReference,
	needIdsInComponent,
	needInComponent,
	openBacklogOf,
	publicTitlesOf,
	readableNeedIdsAmong,
	similarNeeds,
	statusTimeline
} from './needs.queries.ts';
export { createComponent, editNeed, fileNeed, updateComponent } from './needs.commands.ts';
export {
	DEPLOYMENT_WEIGHT_FORMULA,
	familyDeploymentScore,
	followNeed,
	lockNeeds,
	needFollowers,
	supportNeed,
	supportersAndFollowers,
	unfollowNeed,
	withdrawSupport
} from './needs.supports.ts';
export { addComment, deleteComment, editComment, hideComment, listComments } from './needs.comments.ts';
export {
	STATUS_LABELS,
	STATUS_TRANSITIONS,
	type MergeResult,
	type SplitResult,
	type TriageManyResult,
	type UndoResult,
	changeStatus,
	hideNeed,
	lockNeed,
	mergeNeed,
	publishNeed,
	readersAmong,
	splitNeed,
	statusEffect,
	triageMany,
	undoMerge,
	unhideNeed,
	unlockNeed
} from './needs.triage.ts';
export {
	type QueueRow,
	type TriageQueue,
	type TriageQueuePage,
	getTriageQueue,
	QUEUE_PAGE,
	TRIAGE_QUEUE_LABELS,
	TRIAGE_QUEUE_NAMES,
	TRIAGE_QUEUES
} from './needs.queue.ts';
export { getNeedHistory, listMerges, listMyNotifications, mergeCandidates } from './needs.history.ts';
export { moveNeedForUpstream } from './needs.upstream.ts';
export { refreshTrending } from './needs.trending.ts';

import { defineModule, tablesOf } from '#lib/server/platform/module.ts';
import type { NeedsTables } from './needs.tables.ts';
import * as m0300 from './migrations/20261125_0300_needs.ts';
import * as m0500 from './migrations/20261125_0500_need_support_facts.ts';
import * as m0600 from './migrations/20261125_0600_need_title_search.ts';
import * as m0650 from './migrations/20261126_0650_needs_performance.ts';
import * as m1000 from './migrations/20261126_1000_needs_trending.ts';
import * as m1010 from './migrations/20261126_1010_need_segment_counts.ts';
import * as m1020 from './migrations/20261126_1020_need_organization_counts.ts';
import * as m1200 from './migrations/20261204_1200_need_unguessable_ids.ts';
import * as m1800 from './migrations/20261204_1800_need_split_from.ts';
import * as m1900 from './migrations/20261204_1900_need_mentions.ts';
import { needsBoardOperations } from './needs.api.ts';
import { needsActionOperations } from './needs.actions.api.ts';
import { trendingJobs } from './needs.trending.ts';
import { lockNeedsForEvidence as lockNeedsForEvidenceHook } from './needs.supports.ts';

/** What the needs module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'needs',
	tables: tablesOf<NeedsTables>(),
	migrations: {
		'20261125_0300_needs': m0300,
		'20261125_0500_need_support_facts': m0500,
		'20261125_0600_need_title_search': m0600,
		'20261126_0650_needs_performance': m0650,
		'20261126_1000_needs_trending': m1000,
		'20261126_1010_need_segment_counts': m1010,
		'20261126_1020_need_organization_counts': m1020,
		'20261204_1200_need_unguessable_ids': m1200,
		'20261204_1800_need_split_from': m1800,
		'20261204_1900_need_mentions': m1900
	},
	operations: [...needsBoardOperations, ...needsActionOperations],
	jobs: trendingJobs,
	// A member's organization or a deployment's size changing moves the stored supporter facts of the needs
	// they support (see `recountSupport`); the members module calls this hook in the change's transaction.
	hooks: { memberEvidenceChanged: lockNeedsForEvidenceHook },
	demoSeed: async () => (await import('./needs.seed.ts')).seedDemo,
	factories: () => import('./needs.factories.ts'),
	navigation: [{ href: '/needs', label: 'Needs', order: 10 }]
});
