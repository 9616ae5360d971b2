import { describe, expect, it } from 'vitest';
import { convertMarkdown, escapeMarkdown, rstHeading } from './markup.ts';

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

	it('escapes what docutils would read as markup', () => {
		expect(rst('a*b `c` |sub| ref_ _target')).toBe('a\\*b ``c`` \\|sub\\| ref\\_ \\_target');
		expect(rst('snake_case')).toBe('snake_case');
		expect(rst('\\.. directive')).toBe('\\.. directive');
	});
});

describe('Markdown to plain text', () => {
	const plain = (md: string) => convertMarkdown(md, 'plain');

	it('keeps the words and shows links with their address', () => {
		expect(plain('**bold** [docs](https://example.org)')).toBe('bold docs <https://example.org>');
		expect(plain('## Steps\n\n1. one\n2. two')).toBe('Steps\n-----\n\n1. one\n2. two');
		expect(plain('| name | nodes |\n| - | - |\n| a | 3 |\n| b | |')).toBe('- a (nodes: 3)\n- b');
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
