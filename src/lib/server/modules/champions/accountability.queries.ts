import { sql, type RawBuilder } from 'kysely';
import { z } from 'zod';
import { oneLineText } from '#lib/server/platform/text.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import { invalid, parseInput } from '#lib/server/platform/errors.ts';
import { cycleOn, findCycle, listCycles, type Cycle } from '#lib/server/modules/cycles/index.ts';
import { findGroupBySlug } from '#lib/server/modules/groups/index.ts';
import { findComponentBySlug, needInComponent, needReadableBy, NEED_STATUSES, statusTimeline, type NeedStatus } from '#lib/server/modules/needs/index.ts';
import { hasStalledHandoff, oldestOpenUpstreamChange } from '#lib/server/modules/handoff/index.ts';

/*
 * The accountability dashboard: what became of a group's needs in a cycle.
 *
 * Which needs belong to a cycle. A need counts in cycle C (first day S, last day E) when
 *   - it was accepted (or moved beyond: handed upstream, in progress, delivered) before the end of E, and
 *   - it was not closed through the whole cycle: delivered, declined or merged as a duplicate before S
 *     and still so at the end of C.
 * Its state is its state at the end of C (now, for the running cycle), read from its status history.
 * "Handed" and "delivered" count the needs whose first move to handed upstream / delivered falls within
 * C. Median days: first accepted → first handed upstream, over the needs handed in C; first handed
 * upstream → first delivered, over the needs delivered in C. Stalled: needs of C with a handoff still
 * handed upstream or in progress whose last upstream change is older than N days today (the upstream
 * history is not kept, so stalled is always as of today).
 *
 * Visibility. Only needs the reader may read are counted (needReadableBy: a closed group's unpublished
 * needs count only for its members), and hidden needs count for nobody. Every count and every list runs
 * the same `cycleFacts` query with the same metric predicate, so a number and the needs behind it cannot
 * disagree.
 */

export const STALLED_DAYS_DEFAULT = 30;
const COMMITTED = ['accepted', 'handed_upstream', 'in_progress', 'delivered'] as const;
const END = ['delivered', 'declined', 'duplicate'] as const;

export const STATE_METRICS = NEED_STATUSES.map((s) => `state_${s}` as const);
export const METRICS = ['in_scope', ...STATE_METRICS, 'handed_in_cycle', 'delivered_in_cycle', 'accepted_to_handed', 'handed_to_delivered', 'stalled'] as const;
export type Metric = (typeof METRICS)[number];

const ACCEPTED_TO_HANDED = sql<number>`extract(epoch from (f.handed_at - f.accepted_at)) / 86400.0`;
const HANDED_TO_DELIVERED = sql<number>`extract(epoch from (f.delivered_at - f.handed_at)) / 86400.0`;

/** The one definition of each metric, over the columns of `cycleFacts` (aliased f). */
function metricPredicate(metric: Metric): RawBuilder<boolean> {
	if (metric.startsWith('state_')) return sql<boolean>`f.state = ${metric.slice('state_'.length)}`;
	switch (metric) {
		case 'in_scope':
			return sql<boolean>`true`;
		case 'handed_in_cycle':
			return sql<boolean>`f.handed_in_cycle`;
		case 'delivered_in_cycle':
			return sql<boolean>`f.delivered_in_cycle`;
		case 'accepted_to_handed':
			return sql<boolean>`(f.handed_in_cycle and f.accepted_at is not null and f.accepted_at <= f.handed_at)`;
		case 'handed_to_delivered':
			return sql<boolean>`(f.delivered_in_cycle and f.handed_at is not null and f.handed_at <= f.delivered_at)`;
		case 'stalled':
			return sql<boolean>`f.stalled`;
		default:
			throw new Error(`unknown metric ${metric}`);
	}
}

const days = z.coerce
	.number({ error: 'Days is a whole number.' })
	.int('Days is a whole number.')
	.min(1, 'Days is at least 1.')
	.max(3650, 'Days is at most 3,650.')
	.default(STALLED_DAYS_DEFAULT);
/** A filter's text: NUL refused by field, bidi controls stripped (decision 0013). */
const slug = (field: string, max: number) =>
	oneLineText({ field, required: `${field} is text.`, max, tooLong: `${field} is at most ${max} characters.` })
		.default('')
		.transform((s) => s.toLowerCase());

export const dashboardInput = z.object({ cycle: slug('Cycle', 40), group: slug('Group', 100), days });
export const accountabilityNeedsInput = dashboardInput.extend({
	metric: z.enum(METRICS, { error: `Metric is one of ${METRICS.join(', ')}.` }).default('in_scope'),
	component: slug('Component', 80).describe('A component slug, or "none" for needs without a component.'),
	after: z.coerce
		.number({ error: 'The cursor is a need id.' })
		.int('The cursor is a need id.')
		.positive('The cursor is a need id.')
		.max(Number.MAX_SAFE_INTEGER)
		.optional(),
	limit: z.coerce
		.number({ error: 'Limit is a number.' })
		.int('Limit is a whole number.')
		.min(1, 'Limit is at least 1.')
		.max(500, 'Limit is at most 500.')
		.default(100)
});

export interface Scope {
	cycle: Cycle;
	group: { id: number; slug: string; name: string } | null;
	component: { id: number; slug: string; name: string } | 'none' | null;
	days: number;
	/** The cycle's first instant, its end (the day after its last day), and the end as far as it has happened. */
	start: Date;
	end: Date;
	asOf: Date;
	stalledBefore: Date;
}

async function resolveScope(ctx: Ctx, data: { cycle: string; group: string; days: number; component?: string }): Promise<Scope | null> {
	let cycle: Cycle | null;
	if (data.cycle) {
		cycle = await findCycle(ctx.db, data.cycle);
		if (!cycle) throw invalid({ cycle: `There is no cycle “${data.cycle}”.` });
	} else {
		cycle = (await cycleOn(ctx.db, ctx.now())) ?? (await listCycles(ctx.db))[0] ?? null;
		if (!cycle) return null;
	}
	let group: Scope['group'] = null;
	if (data.group) {
		const found = await findGroupBySlug(ctx.db, data.group);
		if (!found) throw invalid({ group: `There is no group “${data.group}”.` });
		group = { id: found.id, slug: found.slug, name: found.name };
	}
	let component: Scope['component'] = null;
	if (data.component === 'none') component = 'none';
	else if (data.component) {
		const row = await findComponentBySlug(ctx.db, data.component);
		if (!row) throw invalid({ component: `There is no component “${data.component}”.` });
		component = { id: Number(row.id), slug: row.slug, name: row.name };
	}
	const start = new Date(`${cycle.startsOn}T00:00:00Z`);
	const end = new Date(new Date(`${cycle.endsOn}T00:00:00Z`).getTime() + 86_400_000);
	const now = ctx.now();
	return { cycle, group, component, days: data.days, start, end, asOf: now < end ? now : end, stalledBefore: new Date(now.getTime() - data.days * 86_400_000) };
}

const list = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`));

/**
 * One row per need of the cycle the reader may read, with its state at the cycle's end, the dates of its
 * first acceptance, handoff and delivery, whether those fall in the cycle, and whether it has a stalled
 * handoff. Everything on the dashboard is an aggregate of this; every list is a filter of it.
 */
function cycleFacts(ctx: Ctx, scope: Scope): RawBuilder<unknown> {
	const { start, asOf } = scope;
	const filters: RawBuilder<unknown>[] = [sql`need.hidden_at is null`, needReadableBy(ctx.actor)];
	if (scope.group) filters.push(sql`need.group_id = ${scope.group.id}`);
	if (scope.component) filters.push(needInComponent(scope.component === 'none' ? 'none' : scope.component.id));
	return sql`(
		select f.id, f.state, f.accepted_at, f.handed_at, f.delivered_at,
			coalesce(f.handed_at >= ${start} and f.handed_at < ${asOf}, false) as handed_in_cycle,
			coalesce(f.delivered_at >= ${start} and f.delivered_at < ${asOf}, false) as delivered_in_cycle,
			${hasStalledHandoff(sql.ref('f.id'), scope.stalledBefore)} as stalled
		from (${statusTimeline({ reached: COMMITTED, start, asOf, where: filters })}) f
		where f.committed_at < ${asOf}
			and not (coalesce(f.state_at_start, 'new') in (${list(END)}) and f.state in (${list(END)}))
	)`;
}

export interface MetricCounts {
	inScope: number;
	byState: Record<NeedStatus, number>;
	handedInCycle: number;
	deliveredInCycle: number;
	stalled: number;
	/** Median days, one decimal; null when no need has both dates. */
	medianAcceptedToHanded: number | null;
	medianHandedToDelivered: number | null;
	/** How many needs each median is taken over. */
	acceptedToHandedCount: number;
	handedToDeliveredCount: number;
}

export interface ComponentCounts extends MetricCounts {
	/** Null for the needs without a component. */
	component: { slug: string; name: string } | null;
}

export interface Dashboard {
	scope: Scope;
	totals: MetricCounts;
	components: ComponentCounts[];
	cycles: Cycle[];
}

const COUNT_COLUMNS: [Metric, string][] = METRICS.filter((m) => m !== 'accepted_to_handed' && m !== 'handed_to_delivered').map((m) => [m, m]);

function aggregates() {
	return sql.join([
		...COUNT_COLUMNS.map(([metric, column]) => sql`(count(*) filter (where ${metricPredicate(metric)}))::int as ${sql.ref(column)}`),
		sql`(count(*) filter (where ${metricPredicate('accepted_to_handed')}))::int as accepted_to_handed`,
		sql`(count(*) filter (where ${metricPredicate('handed_to_delivered')}))::int as handed_to_delivered`,
		sql`percentile_cont(0.5) within group (order by ${ACCEPTED_TO_HANDED}) filter (where ${metricPredicate('accepted_to_handed')}) as median_a2h`,
		sql`percentile_cont(0.5) within group (order by ${HANDED_TO_DELIVERED}) filter (where ${metricPredicate('handed_to_delivered')}) as median_h2d`
	]);
}

type AggregateRow = Record<string, number | string | null>;
const round1 = (v: number | string | null) => (v === null ? null : Math.round(Number(v) * 10) / 10);

function countsOf(row: AggregateRow | undefined): MetricCounts {
	const n = (key: string) => Number(row?.[key] ?? 0);
	return {
		inScope: n('in_scope'),
		byState: Object.fromEntries(NEED_STATUSES.map((s) => [s, n(`state_${s}`)])) as Record<NeedStatus, number>,
		handedInCycle: n('handed_in_cycle'),
		deliveredInCycle: n('delivered_in_cycle'),
		stalled: n('stalled'),
		medianAcceptedToHanded: round1(row?.median_a2h ?? null),
		medianHandedToDelivered: round1(row?.median_h2d ?? null),
		acceptedToHandedCount: n('accepted_to_handed'),
		handedToDeliveredCount: n('handed_to_delivered')
	};
}

/** The dashboard for a cycle (the running one by default) and a group (all groups by default). Null when there are no cycles. */
export async function getDashboard(ctx: Ctx, input: unknown = {}): Promise<Dashboard | null> {
	const data = parseInput(dashboardInput, input);
	const [scope, cycles] = await Promise.all([resolveScope(ctx, data), listCycles(ctx.db)]);
	if (!scope) return null;
	// One statement: the facts are computed once, then summed for the totals (first row) and per component.
	const result = await sql<AggregateRow & { rank: number; component_id: number | null; slug: string | null; name: string | null }>`
		with f as materialized ${cycleFacts(ctx, scope)}
		select * from (
			select 0::bigint as rank, null::bigint as component_id, null::text as slug, null::text as name, ${aggregates()} from f
			union all
			select row_number() over (order by count(*) desc, min(c.name)) as rank, nc.component_id, min(c.slug) as slug, min(c.name) as name, ${aggregates()}
			from f
			left join need_component nc on nc.need_id = f.id
			left join component c on c.id = nc.component_id
			group by nc.component_id
		) rows
		order by rank`.execute(ctx.db);
	const [totals, ...byComponent] = result.rows;
	return {
		scope,
		totals: countsOf(totals),
		components: byComponent.map((r) => ({ component: r.component_id === null ? null : { slug: r.slug!, name: r.name! }, ...countsOf(r) })),
		cycles
	};
}

export interface AccountabilityNeed {
	id: number;
	title: string;
	/** The need's state today. */
	status: NeedStatus;
	/** Its state at the cycle's end (today for the running cycle). */
	stateInCycle: NeedStatus;
	group: { slug: string; name: string } | null;
	supportCount: number;
	acceptedAt: Date | null;
	handedAt: Date | null;
	deliveredAt: Date | null;
	daysAcceptedToHanded: number | null;
	daysHandedToDelivered: number | null;
	stalled: boolean;
	/** The oldest last upstream change among its open handoffs (what makes it stalled); null without one. */
	lastUpstreamChangeAt: Date | null;
}

export interface AccountabilityNeeds {
	scope: Scope;
	metric: Metric;
	needs: AccountabilityNeed[];
	/** The need id to continue after; null on the last page. */
	next: number | null;
}

/** Exactly the needs a dashboard number counts: the same facts, the same predicate. Newest need first. */
export async function listAccountabilityNeeds(ctx: Ctx, input: unknown = {}): Promise<AccountabilityNeeds | null> {
	const data = parseInput(accountabilityNeedsInput, input);
	const scope = await resolveScope(ctx, data);
	if (!scope) return null;
	const after = data.after ? sql`and f.id < ${data.after}` : sql``;
	const result = await sql<{
		id: number;
		title: string;
		status: NeedStatus;
		state: NeedStatus;
		support_count: number;
		group_slug: string | null;
		group_name: string | null;
		accepted_at: Date | null;
		handed_at: Date | null;
		delivered_at: Date | null;
		stalled: boolean;
		last_upstream: Date | null;
	}>`
		select f.id, need.title, need.status, f.state, need.support_count, g.slug as group_slug, g.name as group_name,
			f.accepted_at, f.handed_at, f.delivered_at, f.stalled,
			${oldestOpenUpstreamChange(sql.ref('f.id'))} as last_upstream
		from ${cycleFacts(ctx, scope)} f
		join need on need.id = f.id
		left join "group" g on g.id = need.group_id
		where ${metricPredicate(data.metric)} ${after}
		order by f.id desc
		limit ${data.limit + 1}`.execute(ctx.db);
	const rows = result.rows.slice(0, data.limit);
	const span = (from: Date | null, to: Date | null) => (from && to && from <= to ? Math.round(((to.getTime() - from.getTime()) / 86_400_000) * 10) / 10 : null);
	return {
		scope,
		metric: data.metric,
		needs: rows.map((r) => {
			const accepted = r.accepted_at && new Date(r.accepted_at);
			const handed = r.handed_at && new Date(r.handed_at);
			const delivered = r.delivered_at && new Date(r.delivered_at);
			return {
				id: Number(r.id),
				title: r.title,
				status: r.status,
				stateInCycle: r.state,
				group: r.group_slug !== null && r.group_name !== null ? { slug: r.group_slug, name: r.group_name } : null,
				supportCount: Number(r.support_count),
				acceptedAt: accepted,
				handedAt: handed,
				deliveredAt: delivered,
				daysAcceptedToHanded: span(accepted, handed),
				daysHandedToDelivered: span(handed, delivered),
				stalled: r.stalled,
				lastUpstreamChangeAt: r.last_upstream && new Date(r.last_upstream)
			};
		}),
		next: result.rows.length > data.limit ? Number(rows.at(-1)!.id) : null
	};
}
