import type { Executor } from '#lib/server/platform/db/database.ts';
import { getPublishedList, listName, type ListContent, type PublishedList } from './priorities.lists.ts';
import { readableNeedIds } from './priorities.queries.ts';

/*
 * A published list as a file: Markdown for mailing lists and etherpads, JSON for tools. Both are built
 * from the frozen content only, so they hold counts and the pairwise table and never a ballot.
 */

export type ExportFormat = 'md' | 'json';
export const EXPORT_FORMATS = ['md', 'json'] as const;

export interface ExportedList {
	format: ExportFormat;
	filename: string;
	mediaType: string;
	content: string;
}

/** Markdown table cells: pipes and line breaks would end the cell. */
const cell = (text: string) =>
	text
		.replace(/\\/g, '\\\\')
		.replace(/\|/g, '\\|')
		.replace(/[\r\n]+/g, ' ');
const delta = (groupRank: number, otherRank: number) =>
	otherRank === groupRank ? '=' : otherRank > groupRank ? `+${otherRank - groupRank}` : `${otherRank - groupRank}`;
const turnoutText = (c: ListContent) =>
	`${c.turnout.ballots} of ${c.turnout.eligible} members ranked (${c.turnout.eligible ? Math.round((100 * c.turnout.ballots) / c.turnout.eligible) : 0}%)`;

/**
 * `publicNeeds`: the needs anyone may open (outside a group, in an open group, or published by their
 * closed group). The others are listed by title only: a link would lead a reader to a 404.
 */
export function listMarkdown(list: PublishedList, origin = '', publicNeeds: ReadonlySet<number> = new Set()): string {
	const c = list.content;
	const short = (id: number) => `#${id}`;
	const lines = [`# ${listName(c)}`, '', `${c.group.name} · cycle ${c.cycle.slug} · published ${c.publishedAt.slice(0, 10)} · ${turnoutText(c)}`, ''];
	if (c.note) lines.push(`> ${c.note.replace(/\n/g, '\n> ')}`, '');
	lines.push(
		'| Rank | Need | Supporters (rank) | Deployments, weighted (rank) |',
		'| ---: | --- | ---: | ---: |',
		...c.entries.map(
			(e) =>
				`| ${e.rank} | ${publicNeeds.has(e.needId) ? `[${short(e.needId)}](${origin}/needs/${e.needId})` : short(e.needId)} ${cell(e.title)} | ${e.supporters} (${e.supportRank}, ${delta(e.rank, e.supportRank)}) | ${e.deploymentScore} from ${e.deployments} (${e.deploymentRank}, ${delta(e.rank, e.deploymentRank)}) |`
		),
		'',
		`Ranked by the ${c.method.name} over the members' ballots. Tie-break seed: \`${c.method.seed}\`. ${c.method.tieBreak}`,
		'',
		`Supporters: ${c.orders.supporters} Deployments: ${c.orders.deployments}. In brackets: the rank in that order, and how far it lies from the group's rank (+2: two places lower).`,
		'',
		'## Pairwise table',
		'',
		'Row beats column: how many members ranked the row’s need above the column’s.',
		'',
		`| | ${c.pairwise.needIds.map(short).join(' | ')} |`,
		`| --- | ${c.pairwise.needIds.map(() => '---:').join(' | ')} |`,
		...c.pairwise.needIds.map((id, i) => `| ${short(id)} | ${c.pairwise.matrix[i].map((v, j) => (i === j ? '–' : String(v))).join(' | ')} |`),
		'',
		'## Strongest paths',
		'',
		`| | ${c.pairwise.needIds.map(short).join(' | ')} |`,
		`| --- | ${c.pairwise.needIds.map(() => '---:').join(' | ')} |`,
		...c.pairwise.needIds.map((id, i) => `| ${short(id)} | ${c.pairwise.strongestPaths[i].map((v, j) => (i === j ? '–' : String(v))).join(' | ')} |`),
		'',
		`Source: ${origin}/priorities/${list.id} (${c.slug})`,
		''
	);
	return lines.join('\n');
}

export function listJson(list: PublishedList, origin = '', publicNeeds: ReadonlySet<number> = new Set()): string {
	const c = list.content;
	const versions = list.versions.map((v) => ({ id: v.id, slug: v.slug, version: v.version, publishedAt: v.publishedAt.toISOString() }));
	// Spelled out, because jsonb does not keep the order of keys and a file is read top to bottom.
	const file = {
		format: c.format,
		id: list.id,
		url: `${origin}/priorities/${list.id}`,
		title: c.title,
		version: c.version,
		slug: c.slug,
		note: c.note,
		publishedAt: c.publishedAt,
		group: { slug: c.group.slug, name: c.group.name },
		cycle: { slug: c.cycle.slug, name: c.cycle.name },
		round: { id: c.round.id, title: c.round.title, openedAt: c.round.openedAt, closedAt: c.round.closedAt },
		turnout: { ballots: c.turnout.ballots, eligible: c.turnout.eligible },
		entries: c.entries.map((e) => ({
			rank: e.rank,
			needId: e.needId,
			title: e.title,
			url: publicNeeds.has(e.needId) ? `${origin}/needs/${e.needId}` : null,
			schulzeTier: e.schulzeTier,
			supporters: e.supporters,
			supportRank: e.supportRank,
			deployments: e.deployments,
			deploymentScore: e.deploymentScore,
			deploymentRank: e.deploymentRank
		})),
		orders: { supporters: c.orders.supporters, deployments: c.orders.deployments },
		method: {
			name: c.method.name,
			seed: c.method.seed,
			tieBreak: c.method.tieBreak,
			ties: c.method.ties,
			draw: c.method.draw.map((d) => ({ needId: d.needId, key: d.key }))
		},
		pairwise: { needIds: c.pairwise.needIds, matrix: c.pairwise.matrix, strongestPaths: c.pairwise.strongestPaths },
		versions
	};
	return `${JSON.stringify(file, null, 2)}\n`;
}

export function exportList(list: PublishedList, format: ExportFormat, origin = '', publicNeeds: ReadonlySet<number> = new Set()): ExportedList {
	return format === 'md'
		? { format, filename: `${list.slug}.md`, mediaType: 'text/markdown; charset=utf-8', content: listMarkdown(list, origin, publicNeeds) }
		: { format, filename: `${list.slug}.json`, mediaType: 'application/json; charset=utf-8', content: listJson(list, origin, publicNeeds) };
}

/** A published list by id, slug or series, as a file; needs link only where a visitor may follow. */
export async function exportPublishedList(db: Executor, ref: string | number, format: ExportFormat, origin = ''): Promise<ExportedList> {
	const list = await getPublishedList(db, ref);
	const publicNeeds = await readableNeedIds(
		{ db, actor: null },
		list.content.entries.map((e) => e.needId)
	);
	return exportList(list, format, origin, publicNeeds);
}
