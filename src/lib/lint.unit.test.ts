import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { cruise, type IConfiguration } from 'dependency-cruiser';

const require = createRequire(import.meta.url);
const config = require('../../.dependency-cruiser.cjs') as IConfiguration;
const FIXTURE = new URL('../../test/fixtures/boundaries', import.meta.url).pathname;

describe('the module boundary rules', () => {
	it('refuse a deliberately broken fixture: a module reaching into another, the kernel importing a module, a route reaching past index.ts', async () => {
		const result = await cruise(['src'], {
			...config.options,
			baseDir: FIXTURE,
			tsConfig: undefined,
			ruleSet: { forbidden: config.forbidden },
			validate: true
		});
		const output = result.output as { summary: { violations: { from: string; to: string; rule: { name: string } }[] } };
		const violations = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
		expect(violations).toEqual([
			'doors-through-the-front-door: src/routes/page.ts → src/lib/server/modules/alpha/alpha.queries.ts',
			'kernel-imports-no-module: src/lib/server/platform/kernel.ts → src/lib/server/modules/alpha/index.ts',
			'module-through-the-front-door: src/lib/server/modules/beta/beta.commands.ts → src/lib/server/modules/alpha/alpha.queries.ts'
		]);
	});
});
