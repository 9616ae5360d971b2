import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Ctx } from '#lib/server/platform/context.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { needReadableBy } from './needs.visibility.ts';

/*
 * How typed words find needs: the one matching rule of the board's search (`listBoard`'s q) and of the
 * similar-need suggestions (`similarNeeds`), so that what one finds the other finds too.
 *
 * A typed word is cut and stemmed by PostgreSQL's own parser and the 'english' configuration, as the
 * need's `search` (title and description) and `title_vector` (title) were. It matches a need's word
 *
 *   1. of the same stem ("queues" finds "queue"),
 *   2. that it begins, once it has three letters ("rabbit" finds "RabbitMQ", "migra" finds "migration"),
 *      from need_search_idx / need_title_vector_idx, or
 *   3. a near spelling in a title ("rabbtmq" finds "RabbitMQ", "migraton" finds "migration"): pg_trgm's
 *      strict word similarity of at least 0.5 (`title %>> word`, its default threshold, answered by
 *      need_title_trgm_idx), for a word of five letters or more that begins no word of any title the
 *      reader may read. A word spelt as some title spells it is taken as meant, and the trigram scan
 *      (by far the costliest part of a search: a comparison per title it nearly matches) is left out.
 *
 * Whether a word begins a title word is asked of the needs the reader may read only (`needReadableBy`),
 * so what a closed group's unpublished need or a hidden need says can change no one else's results.
 *
 * The board asks every word to match, in a title or a description, and ranks the matches (relevance):
 * for each word its best match, a title above a description and a closer match above a looser one
 * (same stem 100, beginning 80, near spelling 55 in a title; same stem 30, beginning 24 in a
 * description), plus 20 when the words stand in the title in the typed order, side by side. The
 * suggestion asks at least two of the words (or the one) to match in a title.
 *
 * The search box also reads "a phrase", -word and `or` (parseSearch); phrases and exclusions are exact.
 */

/** A typed word as the search uses it. */
export interface SearchWord {
	/** As typed, in lower case (for the near spelling). */
	text: string;
	/** Its stems, as a tsquery: the need's word is the same. */
	exact: string;
	/** Its stems as prefixes (three letters or more), as a tsquery: the need's word begins with it. */
	prefix: string;
	/** Five letters or more, letters only: it may be misspelt. */
	spellable: boolean;
	/** Also matches a near spelling in a title (rule 3 above): set by `markNearSpellings`. */
	near: boolean;
}

/** Needs matching any one group match the search. */
export interface SearchGroup {
	/** Each must match. */
	words: SearchWord[];
	/** Each must stand in the title or the description, word by word (tsquery text, `<->`). */
	phrases: string[];
	/** None may (tsquery text). */
	excluded: string[];
}

export interface NeedSearch {
	groups: SearchGroup[];
}

/** Rule 3 is for words of at least this many letters (fewer leave too few trigrams to guess from), rule 2 for three. */
const NEAR_MIN_LENGTH = 5;
const PREFIX_MIN_LENGTH = 3;
/** At most this many words of a search count; the rest are left out. */
const MAX_WORDS = 16;

// ---------------------------------------------------------------------------------------------------
// Reading the search box.

export type SearchItem = { kind: 'words' | 'phrase'; text: string; excluded: boolean };

/**
 * The search box's syntax, as web search engines (and PostgreSQL's websearch_to_tsquery) read it: words,
 * "a phrase" in quotes, -word or -"a phrase" to leave out, and `or` between alternatives. A group is what
 * stands between two `or`s.
 */
export function parseSearch(text: string): SearchItem[][] {
	const groups: SearchItem[][] = [[]];
	const token = /(-?)"([^"]*)"?|(\S+)/g;
	for (const match of text.matchAll(token)) {
		const [, minus, quoted, bare] = match;
		if (quoted !== undefined) {
			if (quoted.trim()) groups.at(-1)!.push({ kind: 'phrase', text: quoted, excluded: minus === '-' });
		} else if (bare.toLowerCase() === 'or') {
			if (groups.at(-1)!.length) groups.push([]);
		} else if (bare.startsWith('-') && bare.length > 1) {
			groups.at(-1)!.push({ kind: 'phrase', text: bare.slice(1), excluded: true });
		} else {
			groups.at(-1)!.push({ kind: 'words', text: bare, excluded: false });
		}
	}
	return groups.filter((group) => group.length);
}

// ---------------------------------------------------------------------------------------------------
// Analysing it: one statement.

const tsquery = (text: string) => sql`cast(${text} as tsquery)`;
const lexeme = (l: string) => `'${l.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`;
const allOf = (terms: string[]) => (terms.length > 1 ? `(${terms.join(' & ')})` : terms[0]);

/**
 * Token types of the default parser that are words: a hyphenated word and a URL are left out (their parts
 * follow them), and so are blanks, tags and protocol heads, which carry no word.
 */
const SKIPPED_TOKENS = [5, 12, 13, 14, 15, 16, 17];
/** Words of letters only (asciiword, word, and the parts of hyphenated words): spellings to be near to. */
const LETTER_TOKENS = [1, 2, 10, 11];

type AnalysedRow = { i: number; n: number; token: string | null; lexemes: string[] | null; spellable: boolean; query: string | null };

/** The items' words, their stems and whether they may be misspelt, and the phrases' queries. Items are numbered by their index in `items`. */
async function analyse(db: Executor, items: SearchItem[]): Promise<AnalysedRow[]> {
	if (!items.length) return [];
	const input = JSON.stringify(items.map((item, i) => ({ i, kind: item.kind, text: item.text })));
	const result = await sql<AnalysedRow>`
		with input as (select * from jsonb_to_recordset(cast(${input} as jsonb)) as x(i int, kind text, text text)),
		words as (
			select x.i, p.n::int as n, lower(p.token) as token, p.tokid,
				array(select v.lexeme from unnest(to_tsvector('english', p.token)) v) as lexemes
			from input x cross join lateral ts_parse('default', x.text) with ordinality as p(tokid, token, n)
			where x.kind = 'words' and p.tokid not in (${sql.join(SKIPPED_TOKENS)})
		)
		select w.i, w.n, w.token, w.lexemes,
			w.tokid in (${sql.join(LETTER_TOKENS)}) and char_length(w.token) >= ${NEAR_MIN_LENGTH} as spellable,
			null as query
		from words w where cardinality(w.lexemes) > 0
		union all
		select x.i, 0, null, null, false, phraseto_tsquery('english', x.text)::text
		from input x where x.kind = 'phrase' and numnode(phraseto_tsquery('english', x.text)) > 0
		order by 1, 2`.execute(db);
	return result.rows;
}

const toWord = (row: AnalysedRow): SearchWord => {
	const stems = row.lexemes!;
	return {
		text: row.token!,
		exact: allOf(stems.map(lexeme)),
		prefix: allOf(stems.map((s) => (s.length >= PREFIX_MIN_LENGTH ? `${lexeme(s)}:*` : lexeme(s)))),
		spellable: row.spellable,
		near: false
	};
};

/**
 * Rule 3's condition: which of `words` that may be misspelt begin no word of a title `ctx.actor` may read;
 * they are marked `near`. One statement, a probe of need_title_vector_idx per word. The words' queries
 * come from a JSON parameter on purpose: the planner then cannot tell a rare word from a common one and
 * always asks the index. Given each query, it would read the table from the start for a word it guesses
 * is common, and a misspelt word, found nowhere, would have it read every title.
 */
export async function markNearSpellings(ctx: Pick<Ctx, 'db' | 'actor'>, words: SearchWord[]): Promise<void> {
	const spellable = words.filter((w) => w.spellable);
	if (!spellable.length) return;
	const input = JSON.stringify(spellable.map((w, i) => ({ i, q: w.prefix })));
	const result = await sql<{ i: number; known: boolean }>`
		select x.i, exists (select 1 from need where need.title_vector @@ cast(x.q as tsquery) and ${needReadableBy(ctx.actor)}) as known
		from jsonb_to_recordset(cast(${input} as jsonb)) as x(i int, q text)`.execute(ctx.db);
	for (const row of result.rows) spellable[row.i].near = !row.known;
}

/**
 * What the board looks for, from the search box's text; null when it names nothing to look for (only
 * stop words, punctuation or exclusions): then nothing matches.
 */
export async function analyseSearch(ctx: Pick<Ctx, 'db' | 'actor'>, text: string): Promise<NeedSearch | null> {
	const parsed = parseSearch(text);
	const items: (SearchItem & { group: number })[] = [];
	for (const [group, list] of parsed.entries()) for (const item of list) items.push({ ...item, group });
	// A rough bound (a chunk may hold several words), to keep the statement small.
	items.splice(MAX_WORDS);
	const rows = await analyse(ctx.db, items);
	const groups: SearchGroup[] = parsed.map(() => ({ words: [], phrases: [], excluded: [] }));
	for (const row of rows) {
		const item = items[row.i];
		const group = groups[item.group];
		if (item.kind === 'words') {
			if (group.words.length < MAX_WORDS) group.words.push(toWord(row));
		} else if (item.excluded) group.excluded.push(row.query!);
		else group.phrases.push(row.query!);
	}
	const kept = groups.filter((g) => g.words.length || g.phrases.length);
	if (!kept.length) return null;
	await markNearSpellings(ctx, [...new Set(kept.flatMap((g) => g.words))]);
	return { groups: kept };
}

/** The words of a plain text (a title being typed): no syntax, every word counts; at most `max`. Not yet marked `near`. */
export async function analyseWords(db: Executor, text: string, max = MAX_WORDS): Promise<SearchWord[]> {
	const rows = await analyse(db, [{ kind: 'words', text, excluded: false }]);
	return rows.slice(0, max).map(toWord);
}

// ---------------------------------------------------------------------------------------------------
// The rule in SQL, over the table `need`.

type Column = 'search' | 'title_vector';

/**
 * Rule 3: a near spelling of the word in the need's title. Written `title %>> word` (the commutator of
 * `word <<% title`), as the trigram index answers it: the planner then checks it once per row, not twice.
 */
export function nearTitle(word: SearchWord, table = 'need'): RawBuilder<SqlBool> {
	return sql<SqlBool>`${sql.ref(`${table}.title`)} %>> ${word.text}`;
}

/** The word matches the need (rules 1 to 3): in its title and description (`search`) or its title only (`title_vector`). */
export function wordMatches(word: SearchWord, column: Column, table = 'need'): RawBuilder<SqlBool> {
	const text = sql<SqlBool>`${sql.ref(`${table}.${column}`)} @@ ${tsquery(word.prefix)}`;
	return word.near ? sql<SqlBool>`(${text} or ${nearTitle(word, table)})` : text;
}

/**
 * The tsquery text for at least two of `words` (the one, when there is one; the first 8 count): by rules 1
 * and 2 (`prefix`), or rule 1 alone (`exact`, which finds a subset, from whole posting lists: faster).
 */
export function atLeastTwoOf(words: SearchWord[], rule: 'exact' | 'prefix'): string | null {
	const terms = [...new Set(words.map((w) => w[rule]))].slice(0, 8);
	if (terms.length <= 1) return terms[0] ?? null;
	const pairs: string[] = [];
	for (let i = 0; i < terms.length; i++) for (let j = i + 1; j < terms.length; j++) pairs.push(`(${terms[i]} & ${terms[j]})`);
	return pairs.join(' | ');
}

/** A need the board's search finds: every word of some group matches, every phrase stands, no exclusion does. */
export function searchMatches(search: NeedSearch): RawBuilder<SqlBool> {
	const groups = search.groups.map((group) => {
		// Words without a near spelling, the phrases and the exclusions go in one tsquery: one index scan.
		const plain = [...group.words.filter((w) => !w.near).map((w) => w.prefix), ...group.phrases.map((p) => `(${p})`), ...group.excluded.map((x) => `!(${x})`)];
		const conditions: RawBuilder<SqlBool>[] = [];
		if (plain.length) conditions.push(sql<SqlBool>`need.search @@ ${tsquery(plain.join(' & '))}`);
		for (const word of group.words.filter((w) => w.near)) conditions.push(wordMatches(word, 'search'));
		return sql<SqlBool>`(${sql.join(conditions, sql` and `)})`;
	});
	return sql<SqlBool>`(${sql.join(groups, sql` or `)})`;
}

/**
 * How well a word matches the need, 0 when it does not (the scores in the comment at the top). A trigram
 * comparison costs more than the rest of a row's score together, so a near spelling is not measured again:
 * where every need found matches every word (a search without `or`), a need the word matches by neither
 * stem nor beginning matches it by a near spelling. A description holding the word itself ranks by that.
 */
function wordScore(word: SearchWord, everyWordMatches: boolean): RawBuilder<number> {
	const otherwise = !word.near ? sql`0` : everyWordMatches ? sql`55` : sql`case when ${nearTitle(word)} then 55 else 0 end`;
	return sql<number>`case
		when need.title_vector @@ ${tsquery(word.exact)} then 100
		when need.title_vector @@ ${tsquery(word.prefix)} then 80
		when need.search @@ ${tsquery(word.exact)} then 30
		when need.search @@ ${tsquery(word.prefix)} then 24
		else ${otherwise} end`;
}

/** The words of a group side by side in the title, in the typed order. */
function inOrderBonus(group: SearchGroup): RawBuilder<number> | null {
	if (group.words.length < 2) return null;
	return sql<number>`case when need.title_vector @@ ${tsquery(group.words.map((w) => w.prefix).join(' <-> '))} then 20 else 0 end`;
}

/** The board's relevance of a need that matches `search`: a whole number, higher is better. */
export function searchScore(search: NeedSearch): RawBuilder<number> {
	const parts: RawBuilder<number>[] = [];
	for (const group of search.groups) {
		for (const word of group.words) parts.push(wordScore(word, search.groups.length === 1));
		for (const phrase of group.phrases) {
			parts.push(sql<number>`case when need.title_vector @@ ${tsquery(phrase)} then 100 when need.search @@ ${tsquery(phrase)} then 30 else 0 end`);
		}
		const bonus = inOrderBonus(group);
		if (bonus) parts.push(bonus);
	}
	return sql<number>`(${sql.join(parts, sql` + `)})`;
}
