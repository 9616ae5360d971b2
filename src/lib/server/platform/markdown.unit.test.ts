import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './markdown.ts';

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
