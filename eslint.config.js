import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

/** One lint configuration for the whole tree, run by `npm test` (formatting is Prettier's, boundaries dependency-cruiser's). */
export default ts.config(
	{ ignores: ['build/', '.svelte-kit/', 'node_modules/', 'test-results/', 'data/', 'static/', 'test/fixtures/'] },
	js.configs.recommended,
	...ts.configs.recommended,
	...svelte.configs.recommended,
	{
		languageOptions: { globals: { ...globals.node, ...globals.browser } },
		rules: {
			// Unused names are mistakes, except the ones named to be ignored (`_`, `_error`) and rest siblings that drop a field.
			'@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
			// Migrations are frozen in time and take Kysely<any> on purpose (CONVENTIONS, habit 7).
			'@typescript-eslint/no-explicit-any': 'off',
			// Text validation looks for NUL and other control characters on purpose (decision 0013).
			'no-control-regex': 'off',
			// TypeScript checks names (svelte-check); the core rule does not know DOM and TS-only types.
			'no-undef': 'off'
		}
	},
	{
		files: ['**/*.svelte', '**/*.svelte.ts'],
		languageOptions: { parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'] } },
		rules: {
			// The site has no base path and its pages are server-rendered links; resolve() would add nothing.
			'svelte/no-navigation-without-resolve': 'off',
			// {@html} shows only renderMarkdown's sanitised output and charts the server drew (platform/markdown.ts).
			'svelte/no-at-html-tags': 'off',
			// {' — '} and the like keep a space or a dash where the formatter would move it; they are deliberate.
			'svelte/no-useless-mustaches': 'off',
			// Pages render on the server; a URLSearchParams built inside a helper to make a link is never reactive state.
			'svelte/prefer-svelte-reactivity': 'off'
		}
	}
);
