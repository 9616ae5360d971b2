import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Marked, type TokenizerExtension, type RendererExtension, type Tokens } from 'marked';
import sanitizeHtml from 'sanitize-html';

/*
 * Markdown written by members, rendered to HTML that is safe to place in a page.
 *
 * References. In running text, `#123` names need 123 and `@handle` a member. What a reference becomes
 * depends on the reader (a closed group's need is a link with its title for its members, and plain text
 * for everyone else) and on the day (a member signs up after being mentioned), while parsing and
 * sanitising, the costly half, depend on the text alone. So rendering is two steps:
 *
 * 1. `prepareMarkdown(source)`: Markdown → sanitised HTML in which each reference is a marker, and the list
 *    of references. Cached by source text.
 * 2. `renderMarkdownWith(source, resolved)`: the markers replaced by links for what `resolved` holds (the
 *    needs this reader may read, the members that exist) and by the typed text for the rest. A string join.
 *
 * The owner of the text resolves its references (the needs module for need bodies and comments, with
 * `needReadableBy` for the reader); `renderMarkdown(source)` renders every reference as the typed text.
 *
 * A reference is only recognised in running text: never in a code span or block, in a link's text (or an
 * image's), inside raw HTML `<a>`, `<code>` or `<pre>`, nor glued to a word or an address (`a#1`, `x@y`,
 * `https://host/#1`). A backslash keeps it text: `\#123`, `\@name`.
 */

/** The needs and members a reader's references resolve to: what is not here renders as typed. */
export interface ResolvedReferences {
	/** Needs the reader may read, by id. */
	needs: ReadonlyMap<number, { title: string }>;
	/** Existing members, by lower-cased handle. */
	members: ReadonlyMap<string, { handle: string; displayName: string }>;
}

/** The references a text makes, each once: need ids, and handles lower-cased (as handles are stored). */
export interface MarkdownReferences {
	needIds: number[];
	handles: string[];
}

const NOTHING: ResolvedReferences = { needs: new Map(), members: new Map() };

/** A need reference: `#` and an id as routes take them (1 to 15 digits, no leading zero), not followed by a word character. */
const NEED_REF = /^#([1-9]\d{0,14})(?![\p{L}\p{N}_])/u;
/** A member reference: `@` and what a handle may be (letters, digits, inner hyphens, at most 32), not glued to more. */
const MEMBER_REF = /^@([a-zA-Z0-9][a-zA-Z0-9-]{0,30}[a-zA-Z0-9])(?![\p{L}\p{N}_@]|-[a-zA-Z0-9])/u;
/** What may stand right before a reference: nothing, a space, an opening bracket or quote, a tag, an unpaired emphasis mark. */
const BEFORE_REF = /[\s([{"'“‘«>*~]/u;

/**
 * Markers stand for references between the steps. Their nonce is drawn once per process and never leaves
 * it (every marker is replaced), so a marker spelt into a text, even as character references that the
 * sanitiser decodes, is not one.
 */
const NONCE = randomBytes(12).toString('hex');
const MARKER = new RegExp(`\uE000${NONCE}([nm])([^\uE001]{1,40})\uE001`, 'g');
const marker = (kind: 'n' | 'm', value: string) => `\uE000${NONCE}${kind}${value}\uE001`;

interface ReferenceToken extends Tokens.Generic {
	type: 'reference';
	raw: string;
	kind: 'n' | 'm';
	value: string;
}

const reference: TokenizerExtension & RendererExtension = {
	name: 'reference',
	level: 'inline',
	start(src: string) {
		const at = src.search(/[#@]/);
		return at < 0 ? undefined : at;
	},
	tokenizer(src: string, tokens: Tokens.Generic[]): ReferenceToken | undefined {
		const first = src.charCodeAt(0);
		if (first !== 35 /* # */ && first !== 64 /* @ */) return undefined;
		const state = this.lexer.state;
		if (state.inLink || state.inRawBlock) return undefined;
		const before = tokens.at(-1)?.raw.at(-1);
		if (before !== undefined && !BEFORE_REF.test(before)) return undefined;
		const need = first === 35 ? NEED_REF.exec(src) : null;
		if (need) return { type: 'reference', raw: need[0], kind: 'n', value: need[1] };
		const member = first === 64 ? MEMBER_REF.exec(src) : null;
		if (member) return { type: 'reference', raw: member[0], kind: 'm', value: member[1] };
		return undefined;
	},
	renderer(token) {
		const ref = token as ReferenceToken;
		return marker(ref.kind, ref.value);
	}
};

const marked = new Marked({ gfm: true, breaks: false, async: false, extensions: [reference] });

/** A text parsed and sanitised: HTML parts, with the references between them (`parts[1]`, `parts[3]`, …). */
interface Prepared {
	/** Even indexes: sanitised HTML; odd: a reference as `n<id>` or `m<handle as typed>`. */
	parts: string[];
	references: MarkdownReferences;
	size: number;
}

/**
 * Prepared texts by source. Rendering is a pure function of the text, and sanitising is the costly half (a
 * few tenths of a millisecond each): a popular need's page showed dozens of comments rendered afresh on
 * every view. About 8 million characters of sources and results at most (tens of MB).
 */
const prepared = new LRUCache<string, Prepared>({ maxSize: 8_000_000, sizeCalculation: (p, source) => p.size + source.length || 1 });

function prepareMarkdown(source: string): Prepared {
	let found = prepared.get(source);
	if (found === undefined) {
		const parts = sanitizedHtml(source).split(MARKER);
		// split() with two groups yields html, kind, value, html, …: fold each kind and value into one part.
		const folded: string[] = [parts[0]];
		const needIds = new Set<number>();
		const handles = new Set<string>();
		for (let i = 1; i < parts.length; i += 3) {
			const [kind, value] = [parts[i], parts[i + 1]];
			folded.push(kind + value, parts[i + 2]);
			if (kind === 'n') needIds.add(Number(value));
			else handles.add(value.toLowerCase());
		}
		found = { parts: folded, references: { needIds: [...needIds], handles: [...handles] }, size: folded.reduce((n, p) => n + p.length, 0) };
		prepared.set(source, found);
	}
	return found;
}

const escapeHtml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function linkOf(part: string, resolved: ResolvedReferences): string {
	const value = part.slice(1);
	if (part[0] === 'n') {
		const need = resolved.needs.get(Number(value));
		return need ? `<a href="/needs/${value}" class="need-ref" title="${escapeHtml(need.title)}">#${value}</a>` : `#${value}`;
	}
	const member = resolved.members.get(value.toLowerCase());
	return member
		? `<a href="/members/${encodeURIComponent(member.handle)}" class="member-ref" title="${escapeHtml(member.displayName)}">@${escapeHtml(member.handle)}</a>`
		: `@${escapeHtml(value)}`;
}

/** The references `source` makes in its running text, as rendering finds them (not in code, not in links). */
export function markdownReferences(source: string): MarkdownReferences {
	return prepareMarkdown(source).references;
}

/**
 * Markdown rendered with its references linked as `resolved` allows: a need it holds becomes a link with
 * its title, a member a link to their page; any other reference stays the text that was typed, so a need
 * the reader may not read looks exactly like one that does not exist.
 */
export function renderMarkdownWith(source: string, resolved: ResolvedReferences): string {
	const { parts } = prepareMarkdown(source);
	if (parts.length === 1) return parts[0];
	// A page renders many texts with one resolution: each reference's HTML is made once for it.
	let links = linksMade.get(resolved);
	if (!links) linksMade.set(resolved, (links = new Map()));
	let html = parts[0];
	for (let i = 1; i < parts.length; i += 2) {
		let link = links.get(parts[i]);
		if (link === undefined) links.set(parts[i], (link = linkOf(parts[i], resolved)));
		html += link + parts[i + 1];
	}
	return html;
}

const linksMade = new WeakMap<ResolvedReferences, Map<string, string>>();

/**
 * Markdown written by members, rendered to HTML that is safe to place in a page: whatever the
 * renderer lets through, the sanitizer keeps only a fixed list of tags, attributes and URL schemes.
 * References (`#123`, `@name`) stay text; `renderMarkdownWith` links them.
 */
export function renderMarkdown(source: string): string {
	return renderMarkdownWith(source, NOTHING);
}

function sanitizedHtml(source: string): string {
	const html = marked.parse(source) as string;
	return sanitizeHtml(html, {
		allowedTags: [
			'p',
			'br',
			'hr',
			'h1',
			'h2',
			'h3',
			'h4',
			'h5',
			'h6',
			'blockquote',
			'pre',
			'code',
			'em',
			'strong',
			'del',
			's',
			'ul',
			'ol',
			'li',
			'a',
			'table',
			'thead',
			'tbody',
			'tr',
			'th',
			'td',
			'sup',
			'sub',
			'kbd',
			'input'
		],
		allowedAttributes: {
			a: ['href', 'title', 'rel', 'class'],
			th: ['align'],
			td: ['align'],
			code: ['class'],
			input: ['type', 'checked', 'disabled']
		},
		allowedSchemes: ['http', 'https', 'mailto'],
		allowProtocolRelative: false,
		allowedClasses: { code: [/^language-[\w-]+$/], a: ['image-link'] },
		exclusiveFilter: (frame) => frame.tag === 'input' && frame.attribs.type !== 'checkbox',
		transformTags: {
			a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener ugc' }),
			// An image from another server would tell that server who read the page and when, closed groups
			// included; it becomes a link the reader may choose to open (docs/decisions/0014).
			img: (_tagName, attribs) => ({
				tagName: 'a',
				attribs: { href: attribs.src ?? '', rel: 'nofollow noopener ugc', class: 'image-link' },
				text: `Image: ${attribs.alt?.trim() || attribs.title?.trim() || 'untitled'}`
			})
		}
	});
}
