import { describe, expect, it } from 'vitest';
import { markdownReferences, renderMarkdown, renderMarkdownWith } from './markdown.ts';

// A corpus of classic payloads; each must come out without script, handlers or javascript: URLs.
const payloads = [
	'<script>alert(1)</script>',
	'<img src=x onerror=alert(1)>',
	'[click](javascript:alert(1))',
	'[click](JaVaScRiPt:alert(1))',
	'[click](  javascript:alert(1))',
	'[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
	'![x](javascript:alert(1))',
	'<a href="javascript:alert(1)">x</a>',
	'<svg onload=alert(1)>',
	'<iframe src="https://evil.example"></iframe>',
	'<div style="background:url(javascript:alert(1))">x</div>',
	'<details open ontoggle=alert(1)>',
	'<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
	'"><img src=x onerror=alert(1)>',
	'<a href="&#106;avascript:alert(1)">x</a>',
	'<form action="javascript:alert(1)"><button>x</button></form>',
	'<input autofocus onfocus=alert(1)>',
	'[x](vbscript:msgbox(1))',
	'<object data="javascript:alert(1)">',
	'<base href="javascript:alert(1)//">'
];

describe('Markdown rendering', () => {
	it('renders ordinary Markdown', () => {
		const html = renderMarkdown('# Title\n\nSome **bold** text and a [link](https://example.org).\n\n- one\n- two\n\n```sh\nnova list\n```');
		expect(html).toContain('<h1>Title</h1>');
		expect(html).toContain('<strong>bold</strong>');
		expect(html).toContain('<a href="https://example.org" rel="nofollow noopener ugc">link</a>');
		expect(html).toContain('<code class="language-sh">');
	});

	it.each(payloads)('renders %s inert', (payload) => {
		const html = renderMarkdown(payload).toLowerCase();
		expect(html).not.toMatch(/<script|<iframe|<object|<svg|<math|<form|<base|<style/);
		expect(html).not.toMatch(/\son[a-z]+\s*=/);
		expect(html).not.toMatch(/(href|src|action|data)\s*=\s*"?\s*(javascript|vbscript|data):/);
	});

	it('turns an image from another server into a link, so no reader is tracked by loading it', () => {
		const html = renderMarkdown('See ![the dashboard](https://tracker.example/pixel.png?reader=1).');
		expect(html).not.toContain('<img');
		expect(html).toContain('<a href="https://tracker.example/pixel.png?reader=1" rel="nofollow noopener ugc" class="image-link">Image: the dashboard</a>');
		expect(renderMarkdown('<img src="javascript:alert(1)" alt="x">')).not.toMatch(/javascript:/);
	});
});

describe('references: #123 and @handle', () => {
	const resolved = {
		needs: new Map([
			[12, { title: 'Live <migration> "aborts"' }],
			[7, { title: 'Seven' }]
		]),
		members: new Map([['olga', { handle: 'olga', displayName: 'Olga <O>' }]])
	};
	const need12 = '<a href="/needs/12" class="need-ref" title="Live &lt;migration&gt; &quot;aborts&quot;">#12</a>';
	const olga = '<a href="/members/olga" class="member-ref" title="Olga &lt;O&gt;">@olga</a>';

	it('links what the reader may see in running text, headings, emphasis, quotes and tables', () => {
		expect(renderMarkdownWith('See #12 and @Olga, also (#7).', resolved)).toBe(
			`<p>See ${need12} and ${olga}, also (<a href="/needs/7" class="need-ref" title="Seven">#7</a>).</p>\n`
		);
		expect(renderMarkdownWith('## About #12\n\n> **#12** _@olga_\n\n| a |\n|---|\n| @olga |', resolved)).toBe(
			`<h2>About ${need12}</h2>\n<blockquote>\n<p><strong>${need12}</strong> <em>${olga}</em></p>\n</blockquote>\n<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody><tr>\n<td>${olga}</td>\n</tr>\n</tbody></table>\n`
		);
		expect(markdownReferences('See #12 and @Olga, also (#7), #12 again and @OLGA.')).toEqual({ needIds: [12, 7], handles: ['olga'] });
	});

	it('leaves what it does not resolve as the text typed, and renderMarkdown resolves nothing', () => {
		expect(renderMarkdownWith('#99 and @Nobody', resolved)).toBe('<p>#99 and @Nobody</p>\n');
		expect(renderMarkdown('See #12 and @Olga.')).toBe('<p>See #12 and @Olga.</p>\n');
	});

	it.each([
		['in a code span', 'Run `nova show #12 @olga`'],
		['in a code block', '```\n#12 @olga\n```'],
		['in an indented code block', '    #12 @olga'],
		['in a link’s text', '[see #12 and @olga](https://example.org)'],
		['in an image’s text', '![#12 @olga](https://example.org/a.png)'],
		['inside raw <a>, <code> and <pre>', '<a href="https://example.org">#12 @olga</a> <code>#12 @olga</code>'],
		['glued to a word', 'item#12 and x@olga and snake_#12'],
		['in an address', 'https://example.org/page#12 and ops@olga.example.org and <https://example.org/#12>'],
		['escaped', '\\#12 and \\@olga'],
		['not an id or a handle', '#0 #012 #12a #1234567890123456 @o @olga_x @-olga']
	])('links nothing %s', (_what, source) => {
		expect(markdownReferences(source)).toEqual({ needIds: [], handles: [] });
		expect(renderMarkdownWith(source, resolved)).not.toMatch(/class="(need|member)-ref"/);
	});

	it('cannot be forged: a marker spelt into the text, even as character references, stays text', () => {
		const html = renderMarkdownWith('&#xE000;n12&#xE001; \uE000n12\uE001', resolved);
		expect(html).not.toContain('need-ref');
		expect(markdownReferences('&#xE000;n12&#xE001;')).toEqual({ needIds: [], handles: [] });
	});

	it('keeps the sanitizer’s work: a reference beside a payload links and the payload stays inert', () => {
		const html = renderMarkdownWith('#12 <img src=x onerror=alert(1)> @olga <script>alert(1)</script>', resolved);
		expect(html).toContain(need12);
		expect(html).toContain(olga);
		expect(html.toLowerCase()).not.toMatch(/<script|\son[a-z]+\s*=/);
	});
});
