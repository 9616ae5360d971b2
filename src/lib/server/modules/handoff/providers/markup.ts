import { Lexer, type Token, type Tokens } from 'marked';

/*
 * Members write Markdown; trackers want their own markup. Rather than translate with regular expressions, the
 * Markdown is parsed once by marked's lexer (the same GFM dialect the site renders) and the token tree is written
 * out as Jira wiki markup, reStructuredText or plain text. Text that came from members is escaped for the target,
 * so a deployment called "a|b" cannot break a table and "[x|javascript:...]" cannot become a link.
 */

export type MarkupFormat = 'jira' | 'rst' | 'plain';

export interface MarkupOptions {
	/** Added to Markdown heading levels, so a body's "#" sits below the draft's own sections. */
	headingOffset?: number;
}

const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);

function safeHref(href: string): string | null {
	try {
		const url = new URL(href.trim());
		if (!SAFE_SCHEMES.has(url.protocol)) return null;
		// As written, but with the characters that end or split a link in some markup percent-encoded.
		return href.trim().replace(/[\s[\]{}|<>"\\`]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
	} catch {
		return null;
	}
}

function decodeEntities(text: string): string {
	return text
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#0*39;/g, "'")
		.replace(/&amp;/g, '&');
}

/** Escapes text for use inside Markdown the draft composes (names, notes, titles). */
export function escapeMarkdown(text: string): string {
	return text.replace(/[\\`*_{}[\]()<>#+\-.!|~]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

// ---------------------------------------------------------------------------------------------- Jira wiki markup

const WORD = /[\p{L}\p{N}]/u;

function jiraText(text: string): string {
	// Brackets, braces, pipes and bangs open links, macros, table cells and images anywhere; the emphasis
	// characters only when they touch a word boundary, so "nova-compute", "snake_case" and "C++" stay as written.
	// A backslash would escape its neighbour (two make a line break), so it is written as an entity.
	const chars = [...decodeEntities(text)];
	return chars
		.map((c, i) => {
			if (c === '\\') return '&#92;';
			if ('[]{}|!'.includes(c)) return `\\${c}`;
			if ('*_+^~-'.includes(c)) {
				const before = chars[i - 1];
				const after = chars[i + 1];
				const inWord = before !== undefined && after !== undefined && WORD.test(before) && WORD.test(after);
				return inWord ? c : `\\${c}`;
			}
			return c;
		})
		.join('');
}

/** Runs of plain text and escapes become one string, so escaping can see a character's neighbours. */
function coalesce(tokens: Token[]): Token[] {
	const out: Token[] = [];
	for (const token of tokens) {
		const plain = (token.type === 'text' && !(token as Tokens.Text).tokens) || token.type === 'escape';
		const last = out[out.length - 1] as (Tokens.Text & { merged?: boolean }) | undefined;
		if (plain && last?.merged) {
			last.text += (token as Tokens.Text | Tokens.Escape).text;
			last.raw += token.raw;
		} else if (plain) {
			const text = (token as Tokens.Text | Tokens.Escape).text;
			out.push({ type: 'text', raw: token.raw, text, merged: true } as Tokens.Text & { merged: boolean });
		} else {
			out.push(token);
		}
	}
	return out;
}

function jiraInline(tokens: Token[] | undefined): string {
	if (!tokens) return '';
	return coalesce(tokens)
		.map((token): string => {
			switch (token.type) {
				case 'strong':
					return `*${jiraInline((token as Tokens.Strong).tokens)}*`;
				case 'em':
					return `_${jiraInline((token as Tokens.Em).tokens)}_`;
				case 'del':
					return `-${jiraInline((token as Tokens.Del).tokens)}-`;
				case 'codespan':
					return `{{${decodeEntities((token as Tokens.Codespan).text).replace(/[{}]/g, (c) => `\\${c}`)}}}`;
				case 'br':
					return '\\\\ ';
				case 'link': {
					const link = token as Tokens.Link;
					const href = safeHref(link.href);
					const text = jiraInline(link.tokens);
					if (!href) return text;
					return text && text !== jiraText(href) ? `[${text}|${href}]` : `[${href}]`;
				}
				case 'image': {
					const image = token as Tokens.Image;
					const href = safeHref(image.href);
					return href ? `[${jiraText(image.text || href)}|${href}]` : jiraText(image.text);
				}
				case 'escape':
					return jiraText((token as Tokens.Escape).text);
				case 'text': {
					const text = token as Tokens.Text;
					return text.tokens ? jiraInline(text.tokens) : jiraText(text.text);
				}
				case 'html':
					return jiraText((token as Tokens.HTML).text);
				default:
					return jiraText(token.raw);
			}
		})
		.join('');
}

function jiraCell(tokens: Token[]): string {
	const text = jiraInline(tokens).replace(/\n/g, ' ').trim();
	// An empty cell would merge with its neighbour.
	return text === '' ? ' ' : text;
}

function jiraList(list: Tokens.List, depth: string): string {
	const marker = depth + (list.ordered ? '#' : '*');
	return list.items
		.map((item) => {
			const parts: string[] = [];
			const nested: string[] = [];
			for (const child of item.tokens) {
				if (child.type === 'list') nested.push(jiraList(child as Tokens.List, marker));
				else if (child.type === 'space') continue;
				else parts.push(jiraBlock(child, 0).replace(/\n+/g, ' '));
			}
			const checkbox = item.task ? (item.checked ? '(/) ' : '(x) ') : '';
			return [`${marker} ${checkbox}${parts.join(' ')}`, ...nested].join('\n');
		})
		.join('\n');
}

function jiraBlock(token: Token, offset: number): string {
	switch (token.type) {
		case 'heading': {
			const heading = token as Tokens.Heading;
			return `h${Math.min(6, heading.depth + offset)}. ${jiraInline(heading.tokens)}`;
		}
		case 'paragraph': {
			const text = jiraInline((token as Tokens.Paragraph).tokens);
			// A line that starts like a heading, list or quote would be read as one.
			return text.replace(/^(h[1-6]\.|bq\.|#|\*|-)(?=\s)/gm, (m) => `\\${m}`);
		}
		case 'text': {
			const text = token as Tokens.Text;
			return text.tokens ? jiraInline(text.tokens) : jiraText(text.text);
		}
		case 'code': {
			const code = token as Tokens.Code;
			const lang = /^[\w+-]+$/.test(code.lang ?? '') ? `:${code.lang}` : '';
			// {noformat} cannot be closed from inside by anything but its own terminator; strip that.
			const body = code.text.replace(/\{(code|noformat)\}/g, '{ $1}');
			return lang ? `{code${lang}}\n${body}\n{code}` : `{noformat}\n${body}\n{noformat}`;
		}
		case 'blockquote':
			return `{quote}\n${jiraBlocks((token as Tokens.Blockquote).tokens, offset)}\n{quote}`;
		case 'list':
			return jiraList(token as Tokens.List, '');
		case 'table': {
			const table = token as Tokens.Table;
			const head = `||${table.header.map((cell) => jiraCell(cell.tokens)).join('||')}||`;
			const rows = table.rows.map((row) => `|${row.map((cell) => jiraCell(cell.tokens)).join('|')}|`);
			return [head, ...rows].join('\n');
		}
		case 'hr':
			return '----';
		case 'html':
			return jiraText((token as Tokens.HTML).text.trim());
		case 'space':
			return '';
		default:
			return jiraText(token.raw.trim());
	}
}

function jiraBlocks(tokens: Token[], offset: number): string {
	return tokens
		.map((token) => jiraBlock(token, offset))
		.filter((block) => block !== '')
		.join('\n\n');
}

// ------------------------------------------------------------------------------------------- reStructuredText

function rstText(text: string): string {
	return (
		decodeEntities(text)
			.replace(/[\\*`|]/g, (c) => `\\${c}`)
			// "word_" is a reference and "_word" may start a target.
			.replace(/_(?=$|[^\p{L}\p{N}])|(?<=^|\s)_/gu, '\\_')
	);
}

/** Escapes text for reStructuredText, for titles and other text Caucus writes itself. */
export function escapeRst(text: string): string {
	return rstBlockStart(rstText(text.replace(/\s+/g, ' ').trim()));
}

/**
 * Text that opens a block must not look like a list, a comment, a directive, a field, a line block, a literal
 * block marker or a transition. An escaped space ("\\ ") in front is removed by docutils after it has decided
 * the block is a paragraph, and leaves inline markup working.
 */
function rstBlockStart(text: string): string {
	if (text === '') return text;
	// A block ending in "::" would announce a literal block.
	if (text.endsWith('::')) text = `${text}\\ `;
	const first = [...text][0];
	const enumerator = /^(\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)](\s|$)/.test(text);
	// Letters, digits, an escape, or markup Caucus wrote ("*" and "`" in members' text are escaped) are safe.
	const safe = /[\p{L}\p{N}\\]/u.test(first) || /^(\*\*?|``?)\S/.test(text);
	return safe && !enumerator ? text : `\\ ${text}`;
}

interface RstPart {
	text: string;
	/** Inline markup, which docutils only recognises next to whitespace or certain punctuation. */
	markup: boolean;
}

function rstParts(tokens: Token[] | undefined): RstPart[] {
	if (!tokens) return [];
	return coalesce(tokens).flatMap((token): RstPart[] => {
		const plain = (inner: Token[] | undefined) => rstText(plainInline(inner).replace(/\s+/g, ' ').trim());
		switch (token.type) {
			case 'strong': {
				// reStructuredText does not nest inline markup: the inside of emphasis is plain text.
				const inner = plain((token as Tokens.Strong).tokens);
				return inner ? [{ text: `**${inner}**`, markup: true }] : [];
			}
			case 'em': {
				const inner = plain((token as Tokens.Em).tokens);
				return inner ? [{ text: `*${inner}*`, markup: true }] : [];
			}
			case 'del':
				return rstParts((token as Tokens.Del).tokens);
			case 'codespan': {
				const code = decodeEntities((token as Tokens.Codespan).text)
					.replace(/\s+/g, ' ')
					.trim();
				if (!code) return [];
				// What an inline literal cannot hold is written as escaped text instead.
				if (code.includes('``') || /^`|[`\\]$/.test(code)) return [{ text: rstText(code), markup: false }];
				return [{ text: `\`\`${code}\`\``, markup: true }];
			}
			case 'br':
				return [{ text: ' ', markup: false }];
			case 'link':
			case 'image': {
				const link = token as Tokens.Link | Tokens.Image;
				const href = safeHref(link.href);
				const label = token.type === 'link' ? plainInline((link as Tokens.Link).tokens) : link.text;
				const text = rstText(label.replace(/[`<>]/g, '').replace(/\s+/g, ' ').trim().replace(/\\+$/, ''));
				if (!href) return text ? [{ text, markup: false }] : [];
				// Anonymous references (two underscores) never clash when two links share their text.
				if (!text || label.trim() === link.href) return [{ text: href, markup: false }];
				return [{ text: `\`${text} <${href}>\`__`, markup: true }];
			}
			case 'escape':
				return [{ text: rstText((token as Tokens.Escape).text), markup: false }];
			case 'text': {
				const text = token as Tokens.Text;
				return text.tokens ? rstParts(text.tokens) : [{ text: rstText(text.text), markup: false }];
			}
			case 'html':
				return [{ text: rstText((token as Tokens.HTML).text), markup: false }];
			default:
				return [{ text: rstText(token.raw), markup: false }];
		}
	});
}

const RST_BEFORE_MARKUP = /[\s\-:/'"<([{]/;
const RST_AFTER_MARKUP = /[\s\-.,:;!?\\/'")\]}>]/;

function rstInline(tokens: Token[] | undefined): string {
	const parts = rstParts(tokens).filter((part) => part.text !== '');
	let out = '';
	parts.forEach((part, i) => {
		if (!part.markup) {
			out += part.text;
			return;
		}
		// An escaped space is removed from the output but lets docutils see the markup's edges.
		const before = out.at(-1);
		if (before !== undefined && !RST_BEFORE_MARKUP.test(before)) out += '\\ ';
		out += part.text;
		const after = parts[i + 1]?.text[0];
		if (after !== undefined && !RST_AFTER_MARKUP.test(after)) out += '\\ ';
	});
	return out;
}

function oneLine(text: string): string {
	return text.replace(/\s*\n\s*/g, ' ').trim();
}

function indent(text: string, by: string): string {
	return text
		.split('\n')
		.map((line) => (line === '' ? line : by + line))
		.join('\n');
}

function rstList(list: Tokens.List): string {
	return list.items
		.map((item) => {
			const marker = list.ordered ? '#. ' : '* ';
			const pad = ' '.repeat(marker.length);
			const body = rstBlocks(
				item.tokens.filter((t) => t.type !== 'space'),
				0
			);
			const [first, ...rest] = body.split('\n');
			return [marker + first, ...rest.map((line) => (line === '' ? line : pad + line))].join('\n');
		})
		.join('\n');
}

function rstBlock(token: Token): string {
	switch (token.type) {
		case 'heading': {
			// Inside a spec every section level is the template's: a member's heading becomes a bold line.
			const text = oneLine(rstInline((token as Tokens.Heading).tokens));
			return text ? `**${text}**` : '';
		}
		case 'paragraph':
			// One line per paragraph (docutils reflows anyway), so no line inside it can start a block.
			return rstBlockStart(oneLine(rstInline((token as Tokens.Paragraph).tokens)));
		case 'text': {
			const text = token as Tokens.Text;
			return rstBlockStart(oneLine(text.tokens ? rstInline(text.tokens) : rstText(text.text)));
		}
		case 'code': {
			const code = (token as Tokens.Code).text.replace(/\s+$/, '');
			return code.trim() ? `::\n\n${indent(code, '    ')}` : '';
		}
		case 'blockquote': {
			// An empty comment first, so the indented quote cannot be read as more of the block before it.
			const quote = rstBlocks((token as Tokens.Blockquote).tokens, 0);
			return quote ? `..\n\n${indent(quote, '    ')}` : '';
		}
		case 'list':
			return rstList(token as Tokens.List);
		case 'table': {
			const table = token as Tokens.Table;
			const cell = (tokens: Token[]) => rstBlockStart(oneLine(rstInline(tokens)));
			// An empty cell is an empty list item: the marker alone, no trailing space.
			const row = (cells: { tokens: Token[] }[]) =>
				cells.map((c, i) => `${i === 0 ? '   * -' : '     -'}${cell(c.tokens) ? ` ${cell(c.tokens)}` : ''}`).join('\n');
			return ['.. list-table::', '   :header-rows: 1', '', row(table.header), ...table.rows.map(row)].join('\n');
		}
		case 'hr':
		case 'space':
			return '';
		case 'html':
			return rstText((token as Tokens.HTML).text.trim());
		default:
			return rstText(token.raw.trim());
	}
}

function rstBlocks(tokens: Token[], _offset: number): string {
	return tokens
		.map((token) => rstBlock(token))
		.filter((block) => block !== '')
		.join('\n\n');
}

// ------------------------------------------------------------------------------------------------ plain text

function plainInline(tokens: Token[] | undefined): string {
	if (!tokens) return '';
	return coalesce(tokens)
		.map((token): string => {
			switch (token.type) {
				case 'strong':
				case 'em':
				case 'del':
					return plainInline((token as Tokens.Strong).tokens);
				case 'codespan':
					return decodeEntities((token as Tokens.Codespan).text);
				case 'br':
					return '\n';
				case 'link': {
					const link = token as Tokens.Link;
					const text = plainInline(link.tokens);
					const href = safeHref(link.href);
					if (!href || text === href || text === link.href) return href ?? text;
					return `${text} <${href}>`;
				}
				case 'image': {
					const image = token as Tokens.Image;
					const href = safeHref(image.href);
					return href ? `${image.text} <${href}>` : image.text;
				}
				case 'escape':
					return (token as Tokens.Escape).text;
				case 'text': {
					const text = token as Tokens.Text;
					return text.tokens ? plainInline(text.tokens) : decodeEntities(text.text);
				}
				default:
					return decodeEntities(token.raw);
			}
		})
		.join('');
}

function plainList(list: Tokens.List, depth: number): string {
	const start = typeof list.start === 'number' ? list.start : 1;
	return list.items
		.map((item, i) => {
			const marker = list.ordered ? `${start + i}. ` : '- ';
			const lines: string[] = [];
			const nested: string[] = [];
			for (const child of item.tokens) {
				if (child.type === 'list') nested.push(plainList(child as Tokens.List, depth + 1));
				else if (child.type !== 'space') lines.push(plainBlock(child));
			}
			const pad = '  '.repeat(depth);
			return [pad + marker + lines.join(' ').replace(/\n/g, `\n${pad}  `), ...nested].join('\n');
		})
		.join('\n');
}

function plainBlock(token: Token): string {
	switch (token.type) {
		case 'heading': {
			const text = plainInline((token as Tokens.Heading).tokens);
			return `${text}\n${'-'.repeat(Math.max(3, text.length))}`;
		}
		case 'paragraph':
			return plainInline((token as Tokens.Paragraph).tokens);
		case 'text': {
			const text = token as Tokens.Text;
			return text.tokens ? plainInline(text.tokens) : decodeEntities(text.text);
		}
		case 'code':
			return indent((token as Tokens.Code).text, '    ');
		case 'blockquote':
			return indent(plainBlocks((token as Tokens.Blockquote).tokens), '> ');
		case 'list':
			return plainList(token as Tokens.List, 0);
		case 'table': {
			// Launchpad shows descriptions in a proportional font, so columns would not line up: one line per row.
			const table = token as Tokens.Table;
			const headers = table.header.map((cell) => plainInline(cell.tokens).trim());
			return table.rows
				.map((row) => {
					const [first, ...rest] = row.map((cell) => plainInline(cell.tokens).trim());
					// Two columns read as "name: value"; more as "name (header: value; …)".
					if (rest.length === 1) return `- ${first}${rest[0] ? `: ${rest[0]}` : ''}`;
					const details = rest.map((value, i) => (value ? `${headers[i + 1]}: ${value}` : '')).filter(Boolean);
					return `- ${first}${details.length ? ` (${details.join('; ')})` : ''}`;
				})
				.join('\n');
		}
		case 'hr':
			return '----';
		case 'space':
			return '';
		default:
			return decodeEntities(token.raw.trim());
	}
}

function plainBlocks(tokens: Token[]): string {
	return tokens
		.map((token) => plainBlock(token))
		.filter((block) => block !== '')
		.join('\n\n');
}

// ------------------------------------------------------------------------------------------------------ entry

/** Converts Markdown (GFM) into the tracker's markup. */
export function convertMarkdown(markdown: string, format: MarkupFormat, options: MarkupOptions = {}): string {
	const tokens = new Lexer({ gfm: true }).lex(markdown.replace(/\r\n?/g, '\n'));
	switch (format) {
		case 'jira':
			return jiraBlocks(tokens, options.headingOffset ?? 0);
		case 'rst':
			return rstBlocks(tokens, options.headingOffset ?? 0);
		case 'plain':
			return plainBlocks(tokens);
	}
}

/** A reStructuredText section title with its underline (and overline for the document title). */
export function rstHeading(title: string, char: '=' | '-' | '~', overline = false): string {
	const text = escapeRst(title) || '\\ ';
	// Docutils measures the title in characters; wide characters need a longer line, never a shorter one.
	const width = [...text].reduce((n, c) => n + (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60\uffe0-\uffe6]/u.test(c) ? 2 : 1), 0);
	const line = char.repeat(Math.max(width, 3));
	return overline ? `${line}\n${text}\n${line}` : `${text}\n${line}`;
}
