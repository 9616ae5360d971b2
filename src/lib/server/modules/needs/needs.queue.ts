import { sql } from 'kysely';
import { z } from 'zod';
import type { Ctx } from '#lib/server/platform/context.ts';
import type { GroupFacts, MembershipFacts } from '#lib/server/modules/groups/index.ts';
import { mayModerateNeed } from './needs.policy.ts';
import { componentsOfNeeds, listComponents, type Component } from './needs.queries.ts';
import type { TriageAction } from './needs.schemas.ts';
import type { NeedKind, NeedStatus } from './needs.tables.ts';
import { STATUS_TRANSITIONS } from './needs.triage.ts';

/*
 * A group's triage queue: its needs by state, for the group's chairs and moderators (and site
 * administrators), with the bulk actions that fit each state. Hidden and unpublished needs are in it, as
 * on the triage page of each need; duplicates are not (they live with the need they were merged into).
 */

/** The queue's tabs and the statuses each holds. */
export const TRIAGE_QUEUES = {
	new: ['new'],
	triaged: ['triaged'],
	accepted: ['accepted'],
	upstream: ['handed_upstream', 'in_progress'],
	delivered: ['delivered'],
	declined: ['declined']
} as const satisfies Record<string, readonly NeedStatus[]>;
export type TriageQueue = keyof typeof TRIAGE_QUEUES;
export const TRIAGE_QUEUE_NAMES = Object.keys(TRIAGE_QUEUES) as TriageQueue[];
export const TRIAGE_QUEUE_LABELS: Record<TriageQueue, string> = {
	new: 'New',
	triaged: 'Triaged',
	accepted: 'Accepted',
	upstream: 'Upstream',
	delivered: 'Delivered',
	declined: 'Declined'
};

/** A page of the queue holds this many needs. */
export const QUEUE_PAGE = 50;

export const triageQueueInput = z.object({
	queue: z.enum(TRIAGE_QUEUE_NAMES).catch('new'),
	from: z.coerce.number().int().min(0).max(1_000_000).catch(0)
});
/** From the page's address: an unknown tab is the first one, a bad offset the start. */
export interface TriageQueueInput {
	queue?: string | null;
	from?: string | number | null;
}

export interface QueueRow {
	id: number;
	title: string;
	kind: NeedKind;
	status: NeedStatus;
	supportCount: number;
	commentCount: number;
	tags: string[];
	components: { slug: string; name: string }[];
	hidden: boolean;
	/** A closed group's need its members alone see so far. */
	unpublished: boolean;
	createdAt: Date;
}

export interface TriageQueuePage {
	queue: TriageQueue;
	/** Needs per tab (duplicates left out). */
	counts: Record<TriageQueue, number>;
	/** This page of the tab: most supported first, then the oldest. */
	needs: QueueRow[];
	/** Where this page starts in the tab, and how many the tab holds. */
	from: number;
	total: number;
	pageSize: number;
	/** The bulk actions that fit this tab's needs (a status the needs may move to; tags and components always). */
	actions: TriageAction[];
	/** The component taxonomy, to pick one to add. */
	components: Component[];
}

/** Which bulk actions fit needs in these statuses: a status change only where every one of them may move so. */
function actionsFor(statuses: readonly NeedStatus[]): TriageAction[] {
	const may = (to: NeedStatus) => statuses.every((s) => STATUS_TRANSITIONS[s].includes(to));
	return [...(may('accepted') ? (['accept'] as const) : []), ...(may('declined') ? (['decline'] as const) : []), 'tag', 'component'];
}

/**
 * The group's triage queue as `access` (the group and the actor's membership, as the group page has them)
 * may see it, or null when the actor may not triage the group's needs: then the page shows no queue at all.
 */
export async function getTriageQueue(
	ctx: Ctx,
	access: { group: GroupFacts & { id: number }; membership: MembershipFacts | null },
	input: TriageQueueInput = {}
): Promise<TriageQueuePage | null> {
	if (!mayModerateNeed(ctx.actor, access.group, access.membership)) return null;
	const { queue, from } = triageQueueInput.parse(input);
	const groupId = access.group.id;
	const statuses = TRIAGE_QUEUES[queue];
	const [countRows, rows, components] = await Promise.all([
		ctx.db
			.selectFrom('need')
			.select(['status', sql<number>`count(*)::int`.as('count')])
			.where('group_id', '=', groupId)
			.where('duplicate_of_id', 'is', null)
			.groupBy('status')
			.execute(),
		ctx.db
			.selectFrom('need')
			.select(['id', 'title', 'kind', 'status', 'support_count', 'comment_count', 'tags', 'hidden_at', 'published_at', 'created_at'])
			.where('group_id', '=', groupId)
			.where('duplicate_of_id', 'is', null)
			.where('status', 'in', [...statuses])
			.orderBy('support_count', 'desc')
			.orderBy('created_at')
			.orderBy('id')
			.offset(from)
			.limit(QUEUE_PAGE)
			.execute(),
		listComponents(ctx)
	]);
	const byStatus = new Map(countRows.map((r) => [r.status, Number(r.count)]));
	const counts = Object.fromEntries(
		TRIAGE_QUEUE_NAMES.map((q) => [q, TRIAGE_QUEUES[q].reduce((sum: number, s: NeedStatus) => sum + (byStatus.get(s) ?? 0), 0)])
	) as Record<TriageQueue, number>;
	const componentRows = await componentsOfNeeds(
		ctx.db,
		rows.map((r) => r.id)
	);
	return {
		queue,
		counts,
		needs: rows.map((r) => ({
			id: r.id,
			title: r.title,
			kind: r.kind,
			status: r.status,
			supportCount: r.support_count,
			commentCount: r.comment_count,
			tags: r.tags,
			components: componentRows.filter((c) => c.needId === r.id).map(({ slug, name }) => ({ slug, name })),
			hidden: r.hidden_at !== null,
			unpublished: access.group.visibility === 'closed' && r.published_at === null,
			createdAt: r.created_at
		})),
		from,
		total: counts[queue],
		pageSize: QUEUE_PAGE,
		actions: actionsFor(statuses),
		components
	};
}
