import { LRUCache } from 'lru-cache';
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

const marked = new Marked({ gfm: true, breaks: false, async: false });

/**
 * Rendered HTML by source text. Rendering is a pure function of the text, and sanitising is the costly
 * half (a few tenths of a millisecond each): a popular need's page showed dozens of comments rendered
 * afresh on every view. About 8 million characters of sources and results at most (tens of MB).
 */
const rendered = new LRUCache<string, string>({ maxSize: 8_000_000, sizeCalculation: (html, source) => html.length + source.length || 1 });

/**
 * Markdown written by members, rendered to HTML that is safe to place in a page: whatever the
 * renderer lets through, the sanitizer keeps only a fixed list of tags, attributes and URL schemes.
 */
export function renderMarkdown(source: string): string {
	let html = rendered.get(source);
	if (html === undefined) {
		html = sanitizedHtml(source);
		rendered.set(source, html);
	}
	return html;
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
