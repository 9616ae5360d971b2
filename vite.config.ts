import { sveltekit } from '@sveltejs/kit/vite';
import adapter from '@sveltejs/adapter-node';
import { defineConfig } from 'vitest/config';

const testDatabaseUrl = process.env.TEST_DATABASE_URL;

export default defineConfig({
	// The bundler's timing report is for people tuning the build, not for someone starting the server.
	build: { rolldownOptions: { checks: { pluginTimings: false } } },
	plugins: [
		sveltekit({
			adapter: adapter({ out: 'build', precompress: true }),
			// Forms post to the same origin only; the Node adapter derives the origin from ORIGIN or the Host header.
			// The check is made in src/hooks.server.ts (the same rule for pages, and the API's own rule and JSON answers
			// under /api), so SvelteKit's built-in one, which runs before any hook, is turned off here.
			csrf: { trustedOrigins: ['*'] },
			// Scripts only from this site, and SvelteKit's own inline bootstrap by nonce; no framing; images only
			// from this site, so an image in a need cannot tell another server who read it (docs/decisions/0014).
			// Styles may be inline: the page template and components set style attributes, and no style can run code.
			csp: {
				mode: 'auto',
				directives: {
					'default-src': ['self'],
					'script-src': ['self'],
					'style-src': ['self', 'unsafe-inline'],
					'img-src': ['self', 'data:'],
					'font-src': ['self'],
					'connect-src': ['self'],
					'object-src': ['none'],
					'base-uri': ['self'],
					'frame-ancestors': ['none']
				}
			}
		})
	],
	test: {
		// Every integration suite runs on PGlite, and again on PostgreSQL when TEST_DATABASE_URL is set.
		projects: [
			{
				extends: true,
				test: {
					name: 'pglite',
					include: ['src/**/*.test.ts'],
					env: { CAUCUS_TEST_DB: 'pglite' },
					testTimeout: 30_000,
					hookTimeout: 60_000
				}
			},
			...(testDatabaseUrl
				? [
						{
							extends: true as const,
							test: {
								name: 'postgres',
								include: ['src/**/*.test.ts'],
								exclude: ['src/**/*.unit.test.ts'],
								env: { CAUCUS_TEST_DB: 'postgres' },
								testTimeout: 30_000,
								hookTimeout: 60_000
							}
						}
					]
				: []),
			{
				extends: true,
				test: {
					name: 'e2e',
					include: ['e2e/**/*.e2e.ts'],
					globalSetup: ['e2e/global-setup.ts'],
					testTimeout: 120_000,
					hookTimeout: 180_000,
					// A page answers within a second on a quiet machine, not on a loaded CI runner.
					expect: { poll: { timeout: 15_000 } },
					fileParallelism: false
				}
			}
		]
	}
});
