import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertMarkdown, escapeMarkdown, rstHeading } from './markup.ts';

function hasDocutils(): boolean {
	try {
		execFileSync('python3', ['-c', 'import docutils'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

describe('Markdown to Jira wiki markup', () => {
	const jira = (md: string, headingOffset = 0) => convertMarkdown(md, 'jira', { headingOffset });

	it('writes headings, emphasis, code, links, lists, quotes and tables in Jira syntax', () => {
		expect(jira('# Title', 1)).toBe('h2. Title');
		expect(jira('**bold** and *em* and ~~gone~~ and `x{y}`')).toBe('*bold* and _em_ and -gone- and {{x\\{y\\}}}');
		expect(jira('[docs](https://example.org/a?b=1)')).toBe('[docs|https://example.org/a?b=1]');
		expect(jira('<https://example.org>')).toBe('[https://example.org]');
		expect(jira('- a\n  - b\n- c')).toBe('* a\n** b\n* c');
		expect(jira('1. a\n2. b')).toBe('# a\n# b');
		expect(jira('> quoted')).toBe('{quote}\nquoted\n{quote}');
		expect(jira('```python\nprint(1)\n```')).toBe('{code:python}\nprint(1)\n{code}');
		expect(jira('```\n{noformat} escape\n```')).toBe('{noformat}\n{ noformat} escape\n{noformat}');
		expect(jira('| a | b |\n| - | - |\n| 1 | |')).toBe('||a||b||\n|1| |');
	});

	it('leaves words with dashes, underscores and pluses as written', () => {
		expect(jira('nova-compute snake_case C++ 2025.1')).toBe('nova-compute snake_case C\\+\\+ 2025.1');
	});

	it('escapes what would start markup and drops unsafe links', () => {
		expect(jira('a [b|c] {d} !e! x|y')).toBe('a \\[b\\|c\\] \\{d\\} \\!e\\! x\\|y');
		expect(jira('[x](javascript:alert(1))')).toBe('x');
		expect(jira('back\\\\slash')).toBe('back&#92;slash');
		expect(jira('h1. not a heading')).toBe('\\h1. not a heading');
	});
});

describe('Markdown to reStructuredText', () => {
	const rst = (md: string) => convertMarkdown(md, 'rst');

	it('writes inline markup, anonymous links, lists, literal blocks and list tables', () => {
		expect(rst('**bold** *em* `code`')).toBe('**bold** *em* ``code``');
		expect(rst('[a](https://a.example) and [a](https://b.example)')).toBe('`a <https://a.example>`__ and `a <https://b.example>`__');
		expect(rst('- a\n- b')).toBe('* a\n* b');
		expect(rst('1. a\n2. b')).toBe('#. a\n#. b');
		expect(rst('```\nx = 1\n```')).toBe('::\n\n    x = 1');
		expect(rst('# Heading')).toBe('**Heading**');
		expect(rst('| a | b |\n| - | - |\n| 1 | |')).toBe('.. list-table::\n   :header-rows: 1\n\n   * - a\n     - b\n   * - 1\n     -');
	});

	// Specs are built with docutils (through Sphinx) in the specs repositories' jobs: whatever a member wrote, the
	// converted text must parse without a warning. Where docutils is not installed this cannot run and is skipped.
	it.skipIf(!hasDocutils())('parses without a warning in docutils for any text a member may write (property)', () => {
		const piece = fc.oneof(
			fc.stringMatching(/^[a-z *_`|\\<>[\]().:#=~^+-]{0,20}$/),
			fc.constantFrom('**b**', '*e*', '`c`', '[l](https://x.example/a_b)', '_u_', 'a_', '|s|', '..', '::', '----', '=====', '\\')
		);
		const line = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(' '));
		const block = fc.oneof(
			line,
			line.map((l) => `# ${l}`),
			line.map((l) => `- ${l}\n- ${l}`),
			line.map((l) => `1. ${l}`),
			line.map((l) => `> ${l}`),
			line.map((l) => `| ${l.replace(/\|/g, '')} | b |\n|---|---|\n| ${l} | |`),
			line.map((l) => `\`\`\`\n${l}\n\`\`\``)
		);
		const bodies = fc.sample(
			fc.array(block, { minLength: 1, maxLength: 5 }).map((blocks) => blocks.join('\n\n')),
			{ numRuns: 200, seed: 20261126 }
		);
		const sources = bodies.map((body) => {
			const title = body.split('\n')[0];
			const note = `- **${escapeMarkdown(title)}**: ${escapeMarkdown(body)}`;
			return [rstHeading(title, '=', true), convertMarkdown(body, 'rst'), convertMarkdown(note, 'rst'), ''].join('\n\n');
		});
		const script = [
			'import sys, json, docutils.core',
			'bad = []',
			'for i, source in enumerate(json.load(sys.stdin)):',
			'    try: docutils.core.publish_string(source, writer_name="null", settings_overrides={"halt_level": 2, "report_level": 5})',
			'    except Exception as e: bad.append([i, str(e)])',
			'print(json.dumps(bad))'
		].join('\n');
		const bad = JSON.parse(execFileSync('python3', ['-c', script], { input: JSON.stringify(sources), encoding: 'utf8' })) as [number, string][];
		expect(bad.map(([i, error]) => ({ body: bodies[i], error }))).toEqual([]);
	});

	it('escapes what docutils would read as markup', () => {
		expect(rst('a*b `c` |sub| ref_ _target')).toBe('a\\*b ``c`` \\|sub\\| ref\\_ \\_target');
		expect(rst('snake_case')).toBe('snake_case');
		// Text that would open a comment, a list or a literal block is preceded by an escaped space.
		expect(rst('\\.. directive')).toBe('\\ .. directive');
		expect(rst('\\- not a list')).toBe('\\ - not a list');
		expect(rst('A. Smith wrote')).toBe('\\ A. Smith wrote');
		expect(rst('ends with ::')).toBe('ends with ::\\ ');
		// Inline markup touching a word gets escaped spaces, which docutils removes.
		expect(rst('x**b**y')).toBe('x\\ **b**\\ y');
	});
});

describe('Markdown to plain text', () => {
	const plain = (md: string) => convertMarkdown(md, 'plain');

	it('keeps the words and shows links with their address', () => {
		expect(plain('**bold** [docs](https://example.org)')).toBe('bold docs <https://example.org>');
		expect(plain('## Steps\n\n1. one\n2. two')).toBe('Steps\n-----\n\n1. one\n2. two');
		expect(plain('| name | nodes |\n| - | - |\n| a | 3 |\n| b | |')).toBe('- a: 3\n- b');
		expect(plain('| name | nodes | instances |\n| - | - | - |\n| a | 3 | |')).toBe('- a (nodes: 3)');
	});
});

describe('Composing Markdown', () => {
	it('escapes member text so it stays text', () => {
		const name = 'a|b *c* [d](e) #f';
		expect(convertMarkdown(escapeMarkdown(name), 'plain')).toBe(name);
		expect(convertMarkdown(`| ${escapeMarkdown(name)} |\n| - |\n| x |`, 'plain')).toBe('- x');
	});

	it('underlines reStructuredText titles at least as long as the title', () => {
		expect(rstHeading('Title', '=')).toBe('Title\n=====');
		expect(rstHeading('Ab', '-', true)).toBe('---\nAb\n---');
		expect(rstHeading('日本', '=')).toBe('日本\n====');
	});
});
