import { sql } from 'kysely';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { notFound } from '#lib/server/platform/errors.ts';
import type { RoundAccess } from './priorities.access.ts';
import type { PriorityListRow } from './priorities.tables.ts';
import { DEPLOYMENT_WEIGHT_FORMULA, familyDeploymentScore, publicTitlesOf } from '#lib/server/modules/needs/index.ts';
import { competitionRanks, reorderMatrix, type RoundResult } from './priorities.tally.ts';

/*
 * Published priority lists. A list's content is built once, at publication, and stored: later edits to
 * the needs (a new title, more supporters) do not rewrite what the group said. Everything here is
 * public by definition, so nothing in it may say who voted how: only counts and the pairwise table.
 */

export const LIST_FORMAT = 'caucus.priority-list/1';

export interface ListEntry {
	/** The group's rank (Schulze, ties broken by the seeded draw). */
	rank: number;
	needId: number;
	/** The need's title when the list was published. */
	title: string;
	/** 1-based tier of the Schulze order before the tie-break: equal tiers were a tie the draw decided. */
	schulzeTier: number;
	supporters: number;
	/** Competition rank by supporters (1, 2, 2, 4). */
	supportRank: number;
	deployments: number;
	/** Σ (1 + log₂(1 + nodes)) over the distinct supporting deployments, rounded to 2 decimals. */
	deploymentScore: number;
	deploymentRank: number;
}

export interface ListContent {
	format: typeof LIST_FORMAT;
	title: string;
	version: number;
	slug: string;
	note: string;
	publishedAt: string;
	group: { slug: string; name: string };
	cycle: { slug: string; name: string };
	round: { id: number; title: string; openedAt: string; closedAt: string };
	turnout: { ballots: number; eligible: number };
	method: {
		name: string;
		seed: string;
		tieBreak: string;
		/** Each candidate's draw key, smallest first. */
		draw: { needId: number; key: string }[];
		/** Groups of needs the Schulze method left tied, in the order the draw put them. */
		ties: number[][];
	};
	orders: { supporters: string; deployments: string };
	entries: ListEntry[];
	/** Rows and columns in the group's ranking order (entries' order). */
	pairwise: { needIds: number[]; matrix: number[][]; strongestPaths: number[][] };
}

export const TIE_BREAK_TEXT =
	'Candidates the Schulze method leaves tied are ordered by the SHA-256 hex digest of "<seed>:<need id>", smallest first (docs/tally.md); recompute with printf \'%s\' "<seed>:<id>" | sha256sum.';

interface CrowdFacts {
	supporters: number;
	deployments: number;
	score: number;
}

/** Supporters (stored on the need) and the size-weighted deployments over the need and its duplicates. */
async function crowdFacts(db: Executor, needIds: readonly number[]): Promise<Map<number, CrowdFacts>> {
	const rows = await sql<{ id: number; supporters: number; deployments: number; score: number }>`
		select n.id, n.support_count as supporters, n.deployment_count as deployments, ${familyDeploymentScore(sql.ref('n.id'))} as score
		from need n
		where n.id in (${sql.join(needIds.map((id) => sql`${id}::bigint`))})`.execute(db);
	return new Map(
		rows.rows.map((r) => [
			Number(r.id),
			{ supporters: Number(r.supporters), deployments: Number(r.deployments), score: Math.round(Number(r.score) * 100) / 100 }
		])
	);
}

export async function buildListContent(
	db: Executor,
	access: Pick<RoundAccess, 'round' | 'group' | 'cycle'>,
	result: RoundResult,
	meta: { version: number; slug: string; note: string; publishedAt: Date }
): Promise<ListContent> {
	const ids = result.ranking;
	const titles = await publicTitlesOf(db, ids);
	const crowd = await crowdFacts(db, ids);
	const fact = (id: number) => crowd.get(id) ?? { supporters: 0, deployments: 0, score: 0 };
	const supportRanks = competitionRanks(ids, (id) => fact(id).supporters);
	const deploymentRanks = competitionRanks(ids, (id) => fact(id).score);
	const tierOf = new Map(result.tiers.flatMap((tier, t) => tier.map((id) => [id, t + 1] as const)));
	return {
		format: LIST_FORMAT,
		title: access.round.title,
		version: meta.version,
		slug: meta.slug,
		note: meta.note,
		publishedAt: meta.publishedAt.toISOString(),
		group: { slug: access.group.slug, name: access.group.name },
		cycle: { slug: access.cycle.slug, name: access.cycle.name },
		round: { id: access.round.id, title: access.round.title, openedAt: access.round.opened_at.toISOString(), closedAt: access.round.closed_at!.toISOString() },
		turnout: { ballots: result.ballots, eligible: result.eligible },
		method: {
			name: 'Schulze method (winning votes)',
			seed: result.tieBreak.seed,
			tieBreak: TIE_BREAK_TEXT,
			draw: result.tieBreak.draw,
			ties: result.tieBreak.ties
		},
		orders: { supporters: 'Distinct people supporting the need or a need merged into it: one person, one vote.', deployments: DEPLOYMENT_WEIGHT_FORMULA },
		entries: ids.map((needId, i) => ({
			rank: i + 1,
			needId,
			title: titles.get(needId) ?? `Need #${needId}`,
			schulzeTier: tierOf.get(needId) ?? 0,
			supporters: fact(needId).supporters,
			supportRank: supportRanks.get(needId)!,
			deployments: fact(needId).deployments,
			deploymentScore: fact(needId).score,
			deploymentRank: deploymentRanks.get(needId)!
		})),
		pairwise: {
			needIds: ids,
			matrix: reorderMatrix(result.pairwise, result.candidates, ids),
			strongestPaths: reorderMatrix(result.strongestPaths, result.candidates, ids)
		}
	};
}

export interface PublishedList {
	id: number;
	slug: string;
	version: number;
	title: string;
	groupId: number;
	roundId: number;
	publishedAt: Date;
	content: ListContent;
	/** Every version of the same group's list for the same cycle, newest first. */
	versions: { id: number; slug: string; version: number; publishedAt: Date }[];
}

export interface ListSummary {
	id: number;
	slug: string;
	version: number;
	title: string;
	group: { slug: string; name: string };
	cycle: { slug: string; name: string };
	publishedAt: Date;
	turnout: { ballots: number; eligible: number };
	needCount: number;
	/** The newest version of this group's list for this cycle. */
	latest: boolean;
}

const summaryOf = (row: PriorityListRow, latest: boolean): ListSummary => {
	const c = row.content as ListContent;
	return {
		id: row.id,
		slug: row.slug,
		version: row.version,
		title: row.title,
		group: c.group,
		cycle: c.cycle,
		publishedAt: row.published_at,
		turnout: c.turnout,
		needCount: c.entries.length,
		latest
	};
};

/** Published lists, newest first (public: publishing made them so). */
export async function listPublishedLists(
	db: Executor,
	options: { groupId?: number; cycleId?: number; roundId?: number; latestOnly?: boolean; limit?: number } = {}
): Promise<ListSummary[]> {
	let query = db
		.selectFrom('priority_list as l')
		.selectAll('l')
		.select(sql<number>`(select max(v.version) from priority_list v where v.group_id = l.group_id and v.cycle_id = l.cycle_id)`.as('latest_version'))
		.orderBy('l.published_at', 'desc')
		.orderBy('l.id', 'desc')
		.limit(options.limit ?? 200);
	if (options.groupId !== undefined) query = query.where('l.group_id', '=', options.groupId);
	if (options.cycleId !== undefined) query = query.where('l.cycle_id', '=', options.cycleId);
	if (options.roundId !== undefined) query = query.where('l.round_id', '=', options.roundId);
	const rows = await query.execute();
	return rows.map(({ latest_version, ...row }) => summaryOf(row, Number(latest_version) === row.version)).filter((s) => !options.latestOnly || s.latest);
}

/**
 * A published list by id, by slug (ops-team-2027.1-v1), or by series (ops-team-2027.1: its newest version).
 * Lists are public, so this takes no actor.
 */
export async function getPublishedList(db: Executor, ref: string | number): Promise<PublishedList> {
	const text = String(ref).trim();
	let row: PriorityListRow | undefined;
	if (/^\d{1,15}$/.test(text)) row = await db.selectFrom('priority_list').selectAll().where('id', '=', Number(text)).executeTakeFirst();
	else if (text.length <= 200) {
		row =
			(await db.selectFrom('priority_list').selectAll().where('slug', '=', text.toLowerCase()).executeTakeFirst()) ??
			(await db
				.selectFrom('priority_list')
				.selectAll()
				.where('slug', 'like', `${text.toLowerCase().replace(/[\\%_]/g, '\\$&')}-v%`)
				.orderBy('version', 'desc')
				.limit(1)
				.executeTakeFirst()
				.then((r) => (r && r.slug === `${text.toLowerCase()}-v${r.version}` ? r : undefined)));
	}
	if (!row) throw notFound('The priority list');
	const versions = await db
		.selectFrom('priority_list')
		.select(['id', 'slug', 'version', 'published_at'])
		.where('group_id', '=', row.group_id)
		.where('cycle_id', '=', row.cycle_id)
		.orderBy('version', 'desc')
		.execute();
	return {
		id: row.id,
		slug: row.slug,
		version: row.version,
		title: row.title,
		groupId: row.group_id,
		roundId: row.round_id,
		publishedAt: row.published_at,
		content: row.content as ListContent,
		versions: versions.map((v) => ({ id: v.id, slug: v.slug, version: v.version, publishedAt: v.published_at }))
	};
}

export interface NeedRank {
	listId: number;
	title: string;
	version: number;
	rank: number;
	of: number;
	url: string;
}

/**
 * Where a need stands in the published lists it appears in, newest first. Published lists are public,
 * so any reader of the need may see this.
 */
export async function priorityRanksOfNeed(db: Executor, needId: number): Promise<NeedRank[]> {
	if (!Number.isSafeInteger(needId) || needId <= 0) return [];
	const rows = await db
		.selectFrom('priority_list_entry as e')
		.innerJoin('priority_list as l', 'l.id', 'e.list_id')
		.select(['l.id', 'l.title', 'l.version', 'e.rank', 'l.published_at'])
		.select((eb) =>
			eb
				.selectFrom('priority_list_entry as c')
				.select((c) => c.fn.countAll<number>().as('n'))
				.whereRef('c.list_id', '=', 'l.id')
				.as('of')
		)
		.where('e.need_id', '=', needId)
		.orderBy('l.published_at', 'desc')
		.orderBy('l.id', 'desc')
		.execute();
	return rows.map((r) => ({ listId: r.id, title: r.title, version: r.version, rank: r.rank, of: Number(r.of), url: `/priorities/${r.id}` }));
}

/** The name readers see: "Ops priorities 2027.1, v2". */
export const listName = (list: { title: string; version: number }) => `${list.title}, v${list.version}`;
