import { expressionBuilder, sql, type RawBuilder, type Selectable } from 'kysely';
import { z } from 'zod';
import { oneLineText } from '#lib/server/platform/text.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import type { Database, Executor } from '#lib/server/platform/db/database.ts';
import { invalid, notFound, parseInput } from '#lib/server/platform/errors.ts';
import { SEGMENTS, type Segment } from '#lib/server/modules/members/index.ts';
import type { GroupVisibility } from '#lib/server/modules/groups/index.ts';
import { resolveNeedAccess, type NeedAccess, type NeedOrAccess } from './needs.access.ts';
import { type NeedAbilities } from './needs.policy.ts';
import { kind as kindSchema } from './needs.schemas.ts';
import { resolveReferences, renderWithReferences } from './needs.references.ts';
import { needReadableBy } from './needs.visibility.ts';
import { analyseSearch, analyseWords, atLeastTwoOf, markNearSpellings, nearTitle, searchMatches, searchScore, wordMatches } from './needs.search.ts';
import { listComments, type MemberRef, type NeedComment } from './needs.comments.ts';
import { END_STATUSES, NEED_STATUSES, type ComponentTable, type NeedKind, type NeedStatus, type SourceChannel } from './needs.tables.ts';

/*
 * Reads of the needs board: the board itself (keyset-paginated, every sort served by an index), a
 * need's page, similar-need suggestions and the component taxonomy. Every read of needs goes through
 * `needReadableBy(ctx.actor)` or `loadNeedAccess`, so a closed group's unpublished need and a hidden
 * need never show through a list, a search, a suggestion or a count.
 *
 * Supporters: a need's supporters are the distinct members supporting it or a need merged into it
 * (`duplicate_of_id` points at it). `need.support_count` holds that number exactly, and
 * `organization_count`, `deployment_count`, `deployment_nodes` and `deployment_instances` the facts over
 * the same set, and `need_segment_count` the supporters per segment (all recomputed together by
 * `recountSupport`).
 */

export type ComponentRow = Selectable<ComponentTable>;

export interface Component {
	id: number;
	slug: string;
	name: string;
	description: string;
}

export interface GroupRef {
	id: number;
	slug: string;
	name: string;
	visibility: GroupVisibility;
}

export const toComponent = (row: ComponentRow): Component => ({ id: row.id, slug: row.slug, name: row.name, description: row.description });

export async function listComponents(ctx: Ctx): Promise<Component[]> {
	const rows = await ctx.db.selectFrom('component').selectAll().orderBy('name').orderBy('id').execute();
	return rows.map(toComponent);
}

export async function getComponent(ctx: Ctx, id: number): Promise<Component | undefined> {
	if (!Number.isSafeInteger(id)) return undefined;
	const row = await ctx.db.selectFrom('component').selectAll().where('id', '=', id).executeTakeFirst();
	return row && toComponent(row);
}

/** The group a need belongs to (null for none); `not_found` for a need that does not exist. For activity records of other modules. */
export async function groupIdOfNeed(db: Executor, needId: number): Promise<number | null> {
	const row = await db.selectFrom('need').select('group_id').where('id', '=', needId).executeTakeFirst();
	if (!row) throw notFound('The need');
	return row.group_id;
}

/** A component by its slug (as given: slugs are stored lowercase). */
export async function findComponentBySlug(db: Executor, slug: string): Promise<Component | undefined> {
	const row = await db.selectFrom('component').selectAll().where('slug', '=', slug).executeTakeFirst();
	return row && toComponent(row);
}

/** The ids of the needs filed under the component `slug`: a subquery, to use with `in`. */
export function needIdsInComponent(slug: string) {
	const eb = expressionBuilder<Database, never>();
	return eb
		.selectFrom('need_component')
		.innerJoin('component', 'component.id', 'need_component.component_id')
		.select('need_component.need_id')
		.where('component.slug', '=', slug);
}

/** The components of the needs `ids`, by name: one row per need and component. */
export async function componentsOfNeeds(db: Executor, ids: readonly number[]): Promise<{ needId: number; slug: string; name: string }[]> {
	if (!ids.length) return [];
	const rows = await db
		.selectFrom('need_component')
		.innerJoin('component', 'component.id', 'need_component.component_id')
		.select(['need_component.need_id', 'component.slug', 'component.name'])
		.where('need_component.need_id', 'in', [...ids])
		.orderBy('component.name')
		.execute();
	return rows.map((r) => ({ needId: Number(r.need_id), slug: r.slug, name: r.name }));
}

// ---------------------------------------------------------------------------------------------------
// The board.

export const BOARD_SORTS = ['top', 'new', 'trending', 'updated', 'relevance'] as const;
export type BoardSort = (typeof BOARD_SORTS)[number];
/** '' (the default): every need but duplicates; open: not yet at an end; closed: delivered or declined; all: duplicates too. */
export const STATUS_FILTERS = ['open', 'closed', 'all', ...NEED_STATUSES] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number] | '';
export const TRENDING_DAYS = 14;
export const BOARD_LIMIT_MAX = 100;

const blank = <T extends z.ZodType<string>>(schema: T) => z.union([z.literal(''), schema]).default('');
/** A filter's text: NUL refused by field, bidi controls stripped (decision 0013). */
const shortText = (field: string, max: number) =>
	oneLineText({ field, required: `${field} is text.`, max, tooLong: `${field} is at most ${max} characters.` }).default('');

export const boardInput = z.object({
	sort: blank(z.enum(BOARD_SORTS, { error: `Sort is one of ${BOARD_SORTS.join(', ')}.` })).describe(
		'top: most supporters first (the default without q); new; trending: most supports in the last 14 days; updated; relevance (the default with q): ' +
			'best match first (for each word: its stem, then its beginning, then a near spelling; in the title above the description), then most supporters.'
	),
	status: blank(z.enum(STATUS_FILTERS, { error: `Status is one of ${STATUS_FILTERS.join(', ')}.` })),
	kind: blank(kindSchema),
	component: shortText('Component', 80).transform((s) => s.toLowerCase()),
	release: shortText('Release', 40),
	tag: shortText('Tag', 40).transform((s) => s.toLowerCase()),
	group: shortText('Group', 100).transform((s) => s.toLowerCase()),
	segment: blank(z.enum(SEGMENTS, { error: `Segment is one of ${SEGMENTS.join(', ')}.` })),
	q: shortText('Search', 200).describe(
		'Search: every word must match a word of the title or description of the same stem or that it begins ("rabbit" finds RabbitMQ), or, ' +
			'for a word of five letters or more that no title spells so, a near spelling in a title ("rabbtmq", "migraton"). ' +
			'"a phrase", -word (leave out) and `or` as in web search. Only stop words find nothing.'
	),
	cursor: shortText('Cursor', 400),
	limit: z.coerce
		.number({ error: 'Limit is a number.' })
		.int('Limit is a whole number.')
		.min(1, 'Limit is at least 1.')
		.max(BOARD_LIMIT_MAX, `Limit is at most ${BOARD_LIMIT_MAX}.`)
		.default(25)
});
export type BoardInput = z.input<typeof boardInput>;
export type BoardOptions = Omit<z.output<typeof boardInput>, 'sort'> & { sort: BoardSort };

export interface BoardRow {
	id: number;
	title: string;
	kind: NeedKind;
	status: NeedStatus;
	/** Distinct people supporting it or a need merged into it. */
	supportCount: number;
	/** Distinct organizations among those people. */
	organizationCount: number;
	/** Distinct deployments attached to their supports as evidence. */
	deploymentCount: number;
	/** With a segment filter: how many supporters are in that segment; otherwise null. */
	segmentCount: number | null;
	/**
	 * With sort=trending: people who gave a support in the last 14 days, to it or to a need merged into it
	 * (once each), as of the last refresh of the rollup (needs.trending.ts); otherwise null.
	 */
	recentSupportCount: number | null;
	commentCount: number;
	/** Its tags, as filed (the board shows them and filters by one). */
	tags: string[];
	group: GroupRef | null;
	sourceChannel: SourceChannel;
	/** Still only seen by its closed group. */
	unpublished: boolean;
	hidden: boolean;
	createdAt: Date;
	updatedAt: Date;
}

export interface Board {
	needs: BoardRow[];
	/** Pass as `cursor` for the next page; null on the last page. */
	nextCursor: string | null;
	options: BoardOptions;
}

/** The options as the board uses them: relevance needs a search; a search without a sort ranks by relevance. */
export function normalizeBoardOptions(input: unknown): BoardOptions {
	const data = parseInput(boardInput, input);
	const sort: BoardSort = data.sort === '' ? (data.q ? 'relevance' : 'top') : data.sort === 'relevance' && !data.q ? 'top' : data.sort;
	return { ...data, sort };
}

/** top and trending: the count; new and updated: microseconds as text; relevance: [score, supporters]. */
type CursorKey = number | string | [number, number];

export function encodeCursor(sort: BoardSort, key: CursorKey, id: number): string {
	return Buffer.from(JSON.stringify([sort, key, id])).toString('base64url');
}

export function decodeCursor(sort: BoardSort, cursor: string): { key: CursorKey; id: number } {
	const stale = () =>
		invalid({ cursor: 'This page link no longer fits the list; start again from the first page.' }, 'This page link no longer fits the list.');
	let parsed: unknown;
	try {
		parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
	} catch {
		throw stale();
	}
	if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== sort) throw stale();
	const [, key, id] = parsed as [unknown, unknown, unknown];
	if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) throw stale();
	const count = (n: unknown) => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
	if (sort === 'new' || sort === 'updated') {
		// Microseconds since the epoch, as text: timestamps keep PostgreSQL's precision across pages.
		if (typeof key !== 'string' || !/^-?\d{1,18}$/.test(key)) throw stale();
	} else if (sort === 'relevance') {
		if (!Array.isArray(key) || key.length !== 2 || !key.every(count)) throw stale();
	} else if (!count(key)) {
		throw stale();
	}
	return { key: key as CursorKey, id };
}

const OPEN_STATUSES = NEED_STATUSES.filter((s) => !END_STATUSES.includes(s));
const micros = (column: string) => sql<string>`(extract(epoch from ${sql.ref(column)}) * 1000000)::bigint::text`;
const fromMicros = (value: string) => sql`(timestamptz 'epoch' + cast(${value} as bigint) * interval '1 microsecond')`;

/**
 * One page of the board. The sort walks its index (need_top_idx, need_trending_idx, need_new_idx and
 * need_updated_idx; trending's counts are a rollup, see needs.trending.ts) from the cursor on. A search
 * (q) keeps the needs its words match (needs.search.ts: stems, beginnings and near spellings, from the
 * full-text and trigram indexes) and relevance ranks them: best match first, then most supporters, then
 * newest. Organization and deployment counts are the stored columns (kept exact with support_count by
 * `recountSupport`), and so are the segment counts a segment filter shows.
 */
export async function listBoard(ctx: Ctx, input: unknown = {}): Promise<Board> {
	const options = normalizeBoardOptions(input);
	const { sort, limit } = options;
	const cursor = options.cursor ? decodeCursor(sort, options.cursor) : null;
	const search = options.q ? await analyseSearch(ctx, options.q) : null;
	// Only stop words, punctuation or exclusions: nothing to look for, so nothing is found.
	if (options.q && !search) return { needs: [], nextCursor: null, options };

	let query = ctx.db
		.selectFrom('need')
		.leftJoin('group', 'group.id', 'need.group_id')
		.select([
			'need.id',
			'need.title',
			'need.kind',
			'need.status',
			'need.support_count',
			'need.organization_count',
			'need.deployment_count',
			'need.comment_count',
			'need.tags',
			'need.source_channel',
			'need.published_at',
			'need.hidden_at',
			'need.created_at',
			'need.updated_at',
			'group.id as group_id',
			'group.slug as group_slug',
			'group.name as group_name',
			'group.visibility as group_visibility'
		])
		.where(needReadableBy(ctx.actor));

	if (options.status === '') query = query.where('need.status', '!=', 'duplicate');
	else if (options.status === 'open') query = query.where('need.status', 'in', OPEN_STATUSES);
	else if (options.status === 'closed') query = query.where('need.status', 'in', ['delivered', 'declined']);
	else if (options.status !== 'all') query = query.where('need.status', '=', options.status);
	if (options.kind) query = query.where('need.kind', '=', options.kind);
	if (options.component) {
		const component = options.component;
		query = query.where('need.id', 'in', (eb) =>
			eb
				.selectFrom('need_component')
				.innerJoin('component', 'component.id', 'need_component.component_id')
				.select('need_component.need_id')
				.where('component.slug', '=', component)
		);
	}
	if (options.release) query = query.where(sql<boolean>`need.releases @> array[${options.release}]::text[]`);
	if (options.tag) query = query.where(sql<boolean>`need.tags @> array[${options.tag}]::text[]`);
	if (options.group) query = query.where('group.slug', '=', options.group);
	if (options.segment) query = query.where(segmentSupported(options.segment));
	if (search) query = query.where(searchMatches(search));

	let rows;
	if (sort === 'trending') {
		// The stored rollup (needs.trending.ts, refreshed by a job), walked by need_trending_idx like top.
		let q = query.select('need.recent_support_count as recent').where('need.recent_support_count', '>', 0);
		if (cursor) q = q.where(sql<boolean>`(need.recent_support_count, need.id) < (${cursor.key}::int, ${cursor.id}::bigint)`);
		rows = await q
			.orderBy('need.recent_support_count', 'desc')
			.orderBy('need.id', 'desc')
			.limit(limit + 1)
			.execute();
	} else if (sort === 'relevance' && search) {
		const score = searchScore(search);
		let q = query.select(score.as('score'));
		if (cursor) {
			const [key, supporters] = cursor.key as [number, number];
			q = q.where(sql<boolean>`(${score}, need.support_count, need.id) < (${key}::int, ${supporters}::int, ${cursor.id}::bigint)`);
		}
		rows = await q
			.orderBy(score, 'desc')
			.orderBy('need.support_count', 'desc')
			.orderBy('need.id', 'desc')
			.limit(limit + 1)
			.execute();
	} else if (sort === 'top') {
		let q = query;
		if (cursor) q = q.where(sql<boolean>`(need.support_count, need.id) < (${cursor.key}::int, ${cursor.id}::bigint)`);
		rows = await q
			.orderBy('need.support_count', 'desc')
			.orderBy('need.id', 'desc')
			.limit(limit + 1)
			.execute();
	} else {
		const column = sort === 'new' ? 'need.created_at' : 'need.updated_at';
		let q = query.select(micros(column).as('micros'));
		if (cursor) q = q.where(sql<boolean>`(${sql.ref(column)}, need.id) < (${fromMicros(String(cursor.key))}, ${cursor.id}::bigint)`);
		rows = await q
			.orderBy(column, 'desc')
			.orderBy('need.id', 'desc')
			.limit(limit + 1)
			.execute();
	}

	const page = rows.slice(0, limit);
	const last = page.at(-1) as (typeof page)[number] & { recent?: number; score?: number; micros?: string };
	const key = (): CursorKey =>
		sort === 'top' ? last.support_count : sort === 'trending' ? last.recent! : sort === 'relevance' ? [last.score!, last.support_count] : last.micros!;
	const nextCursor = rows.length > limit && last ? encodeCursor(sort, key(), last.id) : null;
	const segmentCounts = options.segment
		? await segmentSupporters(
				ctx.db,
				page.map((r) => r.id),
				options.segment
			)
		: null;
	const needs = page.map((row): BoardRow => {
		const extra = row as typeof row & { recent?: number };
		return {
			id: row.id,
			title: row.title,
			kind: row.kind,
			status: row.status,
			supportCount: row.support_count,
			organizationCount: row.organization_count,
			deploymentCount: row.deployment_count,
			segmentCount: segmentCounts ? (segmentCounts.get(row.id) ?? 0) : null,
			recentSupportCount: sort === 'trending' ? (extra.recent ?? 0) : null,
			commentCount: row.comment_count,
			tags: row.tags,
			group:
				row.group_id !== null && row.group_slug !== null && row.group_name !== null && row.group_visibility !== null
					? { id: row.group_id, slug: row.group_slug, name: row.group_name, visibility: row.group_visibility }
					: null,
			sourceChannel: row.source_channel,
			unpublished: row.group_id !== null && row.published_at === null,
			hidden: row.hidden_at !== null,
			createdAt: row.created_at,
			updatedAt: row.updated_at
		};
	});
	return { needs, nextCursor, options };
}

/**
 * At least one supporter (of the need or of a need merged into it) in the segment: the stored count,
 * probed need by need as the sort's index walks (`offset 0` keeps it a primary-key probe; left to itself
 * the planner may hash every need's count first).
 */
function segmentSupported(segment: Segment) {
	return sql<boolean>`exists (
		select 1 from need_segment_count sc where sc.need_id = need.id and sc.segment = ${segment} and sc.supporters > 0 offset 0)`;
}

/** For a page of needs: distinct supporters in a segment, over each need and the needs merged into it (stored). */
async function segmentSupporters(db: Executor, ids: number[], segment: Segment): Promise<Map<number, number>> {
	const counts = new Map<number, number>();
	if (!ids.length) return counts;
	const rows = await db.selectFrom('need_segment_count').select(['need_id', 'supporters']).where('need_id', 'in', ids).where('segment', '=', segment).execute();
	for (const row of rows) counts.set(Number(row.need_id), row.supporters);
	return counts;
}

// ---------------------------------------------------------------------------------------------------
// Similar needs.

export interface SimilarNeed {
	id: number;
	title: string;
	status: NeedStatus;
	supportCount: number;
}

export const similarInput = z.object({
	title: oneLineText({ field: 'Title', required: 'Title is text.', max: 200, tooLong: 'Title is at most 200 characters.' }),
	limit: z.coerce.number({ error: 'Limit is a number.' }).int().min(1).max(20).default(5),
	excludeId: z.coerce.number().int().positive().optional()
});

/** Candidates the suggestion's full-text step considers, the best of them by ts_rank re-ranked by trigram similarity. */
const SIMILAR_CANDIDATES = 500;
const SIMILAR_RANKED = 30;
/** Words of a title the suggestion looks for (the first ones). */
const SIMILAR_WORDS = 8;

/**
 * Needs whose title resembles `title`, to support instead of filing a duplicate. The typed words match a
 * title's words by the board's rule (needs.search.ts: same stem, beginning, near spelling), and at least
 * two of them must (or the one, when one is typed). First by stem, then (when that finds fewer than
 * asked) by stem and beginning (need_title_vector_idx): the first 500 such titles, the best 30 by ts_rank
 * re-ranked with the trigram similarity of the titles (pg_trgm). Only when that finds nothing, near
 * spellings too (need_title_trgm_idx): the first 500 titles found, ranked the same way. Duplicates and
 * hidden needs are left out; only needs the actor may read come back.
 */
export async function similarNeeds(ctx: Ctx, title: string, options: { limit?: number; excludeId?: number } = {}): Promise<SimilarNeed[]> {
	const data = parseInput(similarInput, { title, ...options });
	const text = data.title;
	if (text.length < 3) return [];
	const exclude = data.excludeId ?? 0;
	let words = await analyseWords(ctx.db, text);
	// While a title is being typed, a last word of one or two letters says nothing yet.
	if (/[\p{L}\p{N}]$/u.test(text) && words.length > 1 && words.at(-1)!.text.length < 3) words.pop();
	words = words.slice(0, SIMILAR_WORDS);
	if (!words.length) return [];
	const eligible = (table: string) =>
		sql`${sql.ref(`${table}.status`)} <> 'duplicate' and ${sql.ref(`${table}.hidden_at`)} is null and ${sql.ref(`${table}.id`)} <> ${exclude} and ${needReadableBy(ctx.actor, table)}`;
	const score = sql`greatest(similarity(c.title, ${text}), word_similarity(${text}, c.title))`;
	type Row = { id: number; title: string; status: NeedStatus; support_count: number };
	const byWords = async (tsquery: string) =>
		(
			await sql<Row>`
			with q as (select cast(${tsquery} as tsquery) as tsq)
			select c.id, c.title, c.status, c.support_count from (
				select m.*, ts_rank(m.title_vector, (select tsq from q)) as rank from (
					select need.id, need.title, need.status, need.support_count, need.title_vector from need
					where need.title_vector @@ (select tsq from q) and ${eligible('need')}
					limit ${SIMILAR_CANDIDATES}
				) m
				order by rank desc
				limit ${SIMILAR_RANKED}
			) c
			order by ${score} + c.rank desc, c.support_count desc, c.id desc
			limit ${data.limit}`.execute(ctx.db)
		).rows;
	// Whole stems first: a beginning costs the index a scan of every word it begins, and a title being
	// typed usually shares whole words enough. Beginnings only when that finds fewer than asked for.
	const exact = atLeastTwoOf(words, 'exact')!;
	const prefix = atLeastTwoOf(words, 'prefix')!;
	let rows = await byWords(exact);
	if (rows.length < data.limit && prefix !== exact) rows = await byWords(prefix);
	if (!rows.length) await markNearSpellings(ctx, words);
	const near = rows.length ? [] : words.filter((w) => w.near);
	if (near.length) {
		const matched = sql.join(
			words.map((w) => sql`(${wordMatches(w, 'title_vector', 'c')})::int`),
			sql` + `
		);
		const result = await sql<Row>`
			select c.id, c.title, c.status, c.support_count from (
				select c.id, c.title, c.status, c.support_count from need c
				where (${sql.join(
					near.map((w) => nearTitle(w, 'c')),
					sql` or `
				)}) and ${eligible('c')} and ${matched} >= ${Math.min(2, words.length)}
				limit ${SIMILAR_CANDIDATES}
			) c
			order by ${score} desc, c.support_count desc, c.id desc
			limit ${data.limit}`.execute(ctx.db);
		rows = result.rows;
	}
	return rows.map((r) => ({ id: Number(r.id), title: r.title, status: r.status, supportCount: r.support_count }));
}

// ---------------------------------------------------------------------------------------------------
// A need's page.

export interface Supporter {
	member: MemberRef & { organization: string | null; segments: Segment[] };
	supportedAt: Date;
	/** Null when the support was given on a merged need the viewer may not read. */
	deployment: { id: number; name: string; nodes: number | null; instances: number | null } | null;
	impact: string | null;
	/** The need the support was given on, when it is a duplicate merged into this one. */
	viaNeedId: number | null;
}

/** A comment as the page shows it: the comments module's view, with its Markdown rendered. */
export interface NeedCommentView extends NeedComment {
	bodyHtml: string | null;
	mine: boolean;
}

export interface StatusChange {
	id: number;
	from: NeedStatus | null;
	to: NeedStatus;
	reason: string;
	actor: MemberRef | null;
	at: Date;
}

export interface NeedSummary {
	id: number;
	title: string;
	status: NeedStatus;
	supportCount: number;
}

export interface NeedDetail {
	id: number;
	title: string;
	body: string;
	bodyHtml: string;
	kind: NeedKind;
	status: NeedStatus;
	statusReason: string | null;
	source: { channel: SourceChannel; url: string | null; note: string | null };
	components: Component[];
	tags: string[];
	releases: string[];
	group: GroupRef | null;
	author: MemberRef | null;
	publishedAt: Date | null;
	hidden: { at: Date; reason: string | null } | null;
	lockedAt: Date | null;
	createdAt: Date;
	updatedAt: Date;
	commentCount: number;
}

export interface NeedCounts {
	/** People: distinct members supporting this need or one merged into it. */
	supporters: number;
	organizations: number;
	deployments: number;
	nodes: number;
	instances: number;
	/** Supporters per segment; a member in two segments counts in both. */
	segments: { segment: Segment; count: number }[];
	/** The organizations with the most supporters (at most eight), as one of their members spells the name. */
	topOrganizations: { name: string; count: number }[];
}

export interface NeedPage {
	need: NeedDetail;
	counts: NeedCounts;
	/** The first supporters, earliest first. */
	supporters: Supporter[];
	comments: NeedCommentView[];
	history: StatusChange[];
	/** Needs merged into this one that the viewer may read. */
	duplicates: (NeedSummary & { mergedAt: Date | null; reason: string | null })[];
	/** When this need is a duplicate: the need it was merged into, or `{ id: null }` when the viewer may not read it. */
	duplicateOf: NeedSummary | { id: null } | null;
	/** The need this one was split off, when the viewer may read it. */
	splitFrom: NeedSummary | null;
	viewer: {
		supports: { deploymentId: number | null; impact: string | null; at: Date } | null;
		/** Supports a need merged into this one (and so counts here). */
		supportsViaDuplicate: number | null;
		/** Supports the need this one was split off, but not this one: the page asks whether this part matters to them too. */
		supportsSplitOrigin: boolean;
		follows: boolean;
	};
	abilities: NeedAbilities;
}

const SUPPORTERS_SHOWN = 50;

/**
 * Everything a need's page shows; `not_found` when the need does not exist or the viewer may not read it.
 * Takes the need's id, or its access already loaded (a page showing other modules' parts loads it once).
 */
export async function getNeedPage(ctx: Ctx, ref: NeedOrAccess, options: { supporters?: number } = {}): Promise<NeedPage> {
	const access = await resolveNeedAccess(ctx, ref);
	const { need, group, abilities } = access;
	const db = ctx.db;
	const actorId = ctx.actor?.memberId ?? null;

	const [components, author, duplicateRows, history, comments] = await Promise.all([
		db
			.selectFrom('need_component')
			.innerJoin('component', 'component.id', 'need_component.component_id')
			.selectAll('component')
			.where('need_component.need_id', '=', need.id)
			.orderBy('component.name')
			.execute(),
		need.author_id === null ? undefined : db.selectFrom('member').select(['id', 'handle', 'display_name']).where('id', '=', need.author_id).executeTakeFirst(),
		db
			.selectFrom('need')
			.select(['id', 'title', 'status', 'support_count', 'group_id', 'published_at', 'hidden_at'])
			.where('duplicate_of_id', '=', need.id)
			.execute(),
		db
			.selectFrom('need_status_change')
			.leftJoin('member', 'member.id', 'need_status_change.actor_id')
			.select([
				'need_status_change.id',
				'need_status_change.from_status',
				'need_status_change.to_status',
				'need_status_change.reason',
				'need_status_change.at',
				'member.id as actor_id',
				'member.handle as actor_handle',
				'member.display_name as actor_name'
			])
			.where('need_status_change.need_id', '=', need.id)
			.orderBy('need_status_change.at')
			.orderBy('need_status_change.id')
			.execute(),
		allComments(ctx, access)
	]);

	const allIds = [need.id, ...duplicateRows.map((d) => d.id)];
	const readableDuplicateIds = duplicateRows.length
		? new Set(
				(
					await db
						.selectFrom('need')
						.select('id')
						.where(
							'id',
							'in',
							duplicateRows.map((d) => d.id)
						)
						.where(needReadableBy(ctx.actor))
						.execute()
				).map((r) => r.id)
			)
		: new Set<number>();

	const [counts, supporters, merges, duplicateOf, splitFrom, viewer, references] = await Promise.all([
		needCounts(db, need),
		listSupporters(db, need.id, allIds, readableDuplicateIds, options.supporters ?? SUPPORTERS_SHOWN),
		readableDuplicateIds.size
			? db
					.selectFrom('need_merge')
					.select(['source_id', 'merged_at', 'reason'])
					.where('target_id', '=', need.id)
					.where('undone_at', 'is', null)
					.where('source_id', 'in', [...readableDuplicateIds])
					.orderBy('merged_at', 'desc')
					.execute()
			: [],
		need.duplicate_of_id === null
			? null
			: db
					.selectFrom('need')
					.select(['id', 'title', 'status', 'support_count'])
					.where('id', '=', need.duplicate_of_id)
					.where(needReadableBy(ctx.actor))
					.executeTakeFirst()
					.then((r): NeedSummary | { id: null } => (r ? { id: r.id, title: r.title, status: r.status, supportCount: r.support_count } : { id: null })),
		need.split_from_id === null
			? null
			: db
					.selectFrom('need')
					.select(['id', 'title', 'status', 'support_count'])
					.where('id', '=', need.split_from_id)
					.where(needReadableBy(ctx.actor))
					.executeTakeFirst()
					.then((r): NeedSummary | null => (r ? { id: r.id, title: r.title, status: r.status, supportCount: r.support_count } : null)),
		viewerState(db, actorId, need.id, allIds, need.split_from_id),
		// `#123` and `@handle` in the description and the comments the reader sees, resolved for this reader.
		resolveReferences(ctx, [need.body, ...comments.map((c) => c.body ?? '')])
	]);

	const mergeOf = new Map<number, { merged_at: Date; reason: string }>();
	for (const m of merges) if (!mergeOf.has(m.source_id)) mergeOf.set(m.source_id, m);

	return {
		need: {
			id: need.id,
			title: need.title,
			body: need.body,
			bodyHtml: renderWithReferences(need.body, references),
			kind: need.kind,
			status: need.status,
			statusReason: need.status_reason,
			source: { channel: need.source_channel, url: need.source_url, note: need.source_note },
			components: components.map(toComponent),
			tags: need.tags,
			releases: need.releases,
			group: group ? { id: group.id, slug: group.slug, name: group.name, visibility: group.visibility } : null,
			author: author ? { id: author.id, handle: author.handle, displayName: author.display_name } : null,
			publishedAt: need.published_at,
			hidden: need.hidden_at ? { at: need.hidden_at, reason: need.hidden_reason } : null,
			lockedAt: need.locked_at,
			createdAt: need.created_at,
			updatedAt: need.updated_at,
			commentCount: need.comment_count
		},
		counts,
		supporters,
		comments: comments.map((c) => ({
			...c,
			bodyHtml: c.body === null ? null : renderWithReferences(c.body, references),
			mine: actorId !== null && c.author?.id === actorId
		})),
		history: history.map((h) => ({
			id: h.id,
			from: h.from_status,
			to: h.to_status,
			reason: h.reason,
			actor:
				h.actor_id !== null && h.actor_handle !== null && h.actor_name !== null ? { id: h.actor_id, handle: h.actor_handle, displayName: h.actor_name } : null,
			at: h.at
		})),
		duplicates: duplicateRows
			.filter((d) => readableDuplicateIds.has(d.id))
			.map((d) => ({
				id: d.id,
				title: d.title,
				status: d.status,
				supportCount: d.support_count,
				mergedAt: mergeOf.get(d.id)?.merged_at ?? null,
				reason: mergeOf.get(d.id)?.reason ?? null
			})),
		duplicateOf,
		splitFrom,
		viewer,
		abilities
	};
}

/** Every comment of a need, oldest first, as the comments module shows them to the actor (at most 2,000). */
async function allComments(ctx: Ctx, access: NeedAccess): Promise<NeedComment[]> {
	const comments: NeedComment[] = [];
	let after: number | null = null;
	do {
		const page = await listComments(ctx, access, { after, limit: 200 });
		comments.push(...page.comments);
		after = page.next;
	} while (after !== null && comments.length < 2000);
	return comments;
}

/** The headline numbers and the segment breakdown are stored facts, kept exact with every support. */
async function needCounts(
	db: Executor,
	need: { id: number; support_count: number; organization_count: number; deployment_count: number; deployment_nodes: number; deployment_instances: number }
): Promise<NeedCounts> {
	const [segments, organizations] = await Promise.all([
		db
			.selectFrom('need_segment_count')
			.select(['segment', 'supporters as count'])
			.where('need_id', '=', need.id)
			.where('supporters', '>', 0)
			.orderBy('supporters', 'desc')
			.orderBy('segment')
			.execute(),
		// need_organization_count keys organizations lower case; the name shown is a member's own spelling.
		sql<{ name: string; count: number }>`
			with top as (
				select o.organization, o.supporters from need_organization_count o
				where o.need_id = ${need.id} and o.supporters > 0
				order by o.supporters desc, o.organization
				limit 8
			)
			select coalesce((
				select min(m.organization) from support s join member m on m.id = s.member_id
				where s.need_id = ${need.id} and lower(nullif(trim(m.organization), '')) = top.organization
			), top.organization) as name, top.supporters as count
			from top
			order by top.supporters desc, top.organization`.execute(db)
	]);
	return {
		topOrganizations: organizations.rows.map((r) => ({ name: r.name, count: Number(r.count) })),
		supporters: need.support_count,
		organizations: need.organization_count,
		deployments: need.deployment_count,
		nodes: Number(need.deployment_nodes),
		instances: Number(need.deployment_instances),
		segments
	};
}

/**
 * The first `limit` supports given on `id` (one need of the family `ids` of `rootId`) that stand for their
 * member: a member who supports several needs of the family is listed once, by their support on the root,
 * or else by their earliest one. Earliest first, from support_need_created_idx: a need with thousands of
 * supporters is not sorted whole.
 */
function firstSupports(id: number, rootId: number, ids: number[], limit: number) {
	const others = ids.filter((other) => other !== id);
	const better = others.length
		? id === rootId
			? sql``
			: sql`and not exists (
				select 1 from support b where b.member_id = s.member_id and b.need_id in (${sql.join(others.map((o) => sql`${o}::bigint`))})
					and (b.need_id = ${rootId}::bigint or (b.created_at, b.need_id) < (s.created_at, s.need_id)))`
		: sql``;
	return sql`select s.member_id, s.need_id, s.impact, s.created_at, s.deployment_id from support s
		where s.need_id = ${id}::bigint ${better}
		order by s.created_at, s.member_id limit ${limit}`;
}

async function listSupporters(db: Executor, needId: number, ids: number[], readableDuplicates: Set<number>, limit: number): Promise<Supporter[]> {
	if (limit <= 0) return [];
	const result = await sql<{
		member_id: number;
		need_id: number;
		impact: string | null;
		created_at: Date;
		deployment_id: number | null;
		handle: string;
		display_name: string;
		organization: string | null;
		segments: Segment[];
		deployment_name: string | null;
		nodes: number | null;
		instances: number | null;
	}>`
		select x.member_id, x.need_id, x.impact, x.created_at, x.deployment_id,
			m.handle, m.display_name, m.organization, m.segments, d.name as deployment_name, d.nodes, d.instances
		from (${sql.join(
			ids.map((id) => sql`(${firstSupports(id, needId, ids, limit)})`),
			sql` union all `
		)}) x
		join member m on m.id = x.member_id
		left join deployment d on d.id = x.deployment_id
		order by x.created_at, x.member_id
		limit ${limit}`.execute(db);
	return result.rows.map((r) => {
		const evidence = Number(r.need_id) === needId || readableDuplicates.has(Number(r.need_id));
		return {
			member: { id: Number(r.member_id), handle: r.handle, displayName: r.display_name, organization: r.organization, segments: r.segments },
			supportedAt: new Date(r.created_at),
			deployment:
				evidence && r.deployment_id !== null && r.deployment_name !== null
					? { id: Number(r.deployment_id), name: r.deployment_name, nodes: r.nodes, instances: r.instances }
					: null,
			impact: evidence ? r.impact : null,
			viaNeedId: Number(r.need_id) === needId ? null : evidence ? Number(r.need_id) : null
		};
	});
}

async function viewerState(db: Executor, actorId: number | null, needId: number, ids: number[], splitFromId: number | null): Promise<NeedPage['viewer']> {
	if (actorId === null) return { supports: null, supportsViaDuplicate: null, supportsSplitOrigin: false, follows: false };
	const [supports, follow, origin] = await Promise.all([
		db
			.selectFrom('support')
			.select(['need_id', 'deployment_id', 'impact', 'created_at'])
			.where('member_id', '=', actorId)
			.where('need_id', 'in', ids)
			.execute(),
		db.selectFrom('need_follow').select('need_id').where('member_id', '=', actorId).where('need_id', '=', needId).executeTakeFirst(),
		// The original's family: the need split from, and the needs merged into it.
		splitFromId === null
			? undefined
			: db
					.selectFrom('support')
					.innerJoin('need', 'need.id', 'support.need_id')
					.select('support.need_id')
					.where('support.member_id', '=', actorId)
					.where((eb) => eb.or([eb('need.id', '=', splitFromId), eb('need.duplicate_of_id', '=', splitFromId)]))
					.executeTakeFirst()
	]);
	const own = supports.find((s) => s.need_id === needId);
	const via = supports.find((s) => s.need_id !== needId);
	return {
		supports: own ? { deploymentId: own.deployment_id, impact: own.impact, at: own.created_at } : null,
		supportsViaDuplicate: own ? null : (via?.need_id ?? null),
		supportsSplitOrigin: !own && !via && origin !== undefined,
		follows: !!follow
	};
}

/** Needs for the home page: the most supported and the newest, both readable by the actor. */
export async function homeNeeds(ctx: Ctx, limit = 5): Promise<{ top: BoardRow[]; recent: BoardRow[] }> {
	const [top, recent] = await Promise.all([listBoard(ctx, { sort: 'top', status: 'open', limit }), listBoard(ctx, { sort: 'new', limit })]);
	return { top: top.needs, recent: recent.needs };
}

// ---------------------------------------------------------------------------------------------------
// Reads for other modules (priorities): they ask the needs module instead of reading its tables.

/** Of `needIds`, those the actor may read (through `needReadableBy`). */
export async function readableNeedIdsAmong(ctx: Pick<Ctx, 'db' | 'actor'>, needIds: readonly number[]): Promise<Set<number>> {
	const ids = [...new Set(needIds)].filter((id) => Number.isSafeInteger(id) && id > 0);
	if (!ids.length) return new Set();
	const rows = await ctx.db.selectFrom('need').select('need.id').where('need.id', 'in', ids).where(needReadableBy(ctx.actor)).execute();
	return new Set(rows.map((r) => Number(r.id)));
}

/**
 * The needs `ids` as another module refers to them, their rows held FOR KEY SHARE so none is deleted or
 * re-keyed before the caller's transaction ends (a priority round's candidates). Missing ids are left out.
 */
export async function lockNeedsForReference(db: Executor, ids: readonly number[]) {
	if (!ids.length) return [];
	return db
		.selectFrom('need')
		.select(['id', 'group_id', 'status', 'hidden_at', 'duplicate_of_id'])
		.where('id', 'in', [...ids])
		.forKeyShare()
		.execute();
}

/**
 * A group's open backlog, for ranking: its needs that are not merged, hidden or ended; accepted first, then
 * triaged, then the rest, each by supporters. At most `limit`.
 */
export async function openBacklogOf(db: Executor, groupId: number, limit = 500): Promise<Array<NeedSummary & { deploymentCount: number }>> {
	const rows = await db
		.selectFrom('need')
		.select(['need.id', 'need.title', 'need.status', 'need.support_count', 'need.deployment_count'])
		.where('need.group_id', '=', groupId)
		.where('need.duplicate_of_id', 'is', null)
		.where('need.hidden_at', 'is', null)
		.where('need.status', 'not in', [...END_STATUSES])
		.orderBy(sql`case need.status when 'accepted' then 0 when 'triaged' then 1 else 2 end`)
		.orderBy('need.support_count', 'desc')
		.orderBy('need.id')
		.limit(limit)
		.execute();
	return rows.map((r) => ({ id: r.id, title: r.title, status: r.status, supportCount: r.support_count, deploymentCount: r.deployment_count }));
}

/** The titles of `ids` as a public record shows them: a hidden need's title is not shown. Missing ids are left out. */
export async function publicTitlesOf(db: Executor, ids: readonly number[]): Promise<Map<number, string>> {
	if (!ids.length) return new Map();
	const rows = await db
		.selectFrom('need')
		.select(['id', 'title', 'hidden_at'])
		.where('id', 'in', [...ids])
		.execute();
	return new Map(rows.map((n) => [Number(n.id), n.hidden_at ? `(a need hidden by moderators, #${n.id})` : n.title]));
}

/**
 * A subquery for the accountability dashboard: one row per need (`id`) that reached one of `reached` before
 * `asOf` and passes `where` (conditions over `need`), from its status history: when it first reached one of
 * `reached` (`committed_at`), was first accepted, handed upstream and delivered, its state just before
 * `asOf` (`state`) and just before `start` (`state_at_start`, null when it had none).
 */
export function statusTimeline(options: {
	reached: readonly NeedStatus[];
	start: Date;
	asOf: Date;
	where: readonly RawBuilder<unknown>[];
}): RawBuilder<unknown> {
	const { start, asOf } = options;
	const reached = sql.join(options.reached.map((s) => sql`${s}`));
	const where = options.where.length ? sql` and ${sql.join(options.where, sql` and `)}` : sql``;
	return sql`select c.need_id as id,
				min(c.at) filter (where c.to_status in (${reached})) as committed_at,
				min(c.at) filter (where c.to_status = 'accepted') as accepted_at,
				min(c.at) filter (where c.to_status = 'handed_upstream') as handed_at,
				min(c.at) filter (where c.to_status = 'delivered') as delivered_at,
				(array_agg(c.to_status order by c.at desc, c.id desc) filter (where c.at < ${asOf}))[1] as state,
				(array_agg(c.to_status order by c.at desc, c.id desc) filter (where c.at < ${start}))[1] as state_at_start
			from need_status_change c
			join need on need.id = c.need_id
			where c.need_id in (
				select k.need_id from need_status_change k where k.to_status in (${reached}) and k.at < ${asOf}
			)${where}
			group by c.need_id`;
}

/** A condition over `need`: it is filed under the component `componentId`, or under none (`'none'`). */
export function needInComponent(componentId: number | 'none'): RawBuilder<boolean> {
	return componentId === 'none'
		? sql<boolean>`not exists (select 1 from need_component nc where nc.need_id = need.id)`
		: sql<boolean>`exists (select 1 from need_component nc where nc.need_id = need.id and nc.component_id = ${componentId})`;
}
