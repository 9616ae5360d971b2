import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commands, migrations, modules, navigation, operations } from './modules.ts';
import { platformMigrations } from './platform/db/migrations.ts';

const MODULES = new URL('./modules/', import.meta.url).pathname;
const folders = readdirSync(MODULES, { withFileTypes: true })
	.filter((d) => d.isDirectory())
	.map((d) => d.name);

/** The composition root and the module folders agree, so a module is added by its folder and one line. */
describe('the composition root', () => {
	it('lists every module folder once, by the name its manifest gives', () => {
		expect(modules.map((m) => m.name).sort()).toEqual([...folders].sort());
	});

	it('has every migration file of every module in that module’s manifest, and none twice', () => {
		for (const module of modules) {
			const files = readdirSync(`${MODULES}${module.name}/migrations`)
				.filter((f) => f.endsWith('.ts'))
				.map((f) => f.replace(/\.ts$/, ''));
			expect(Object.keys(module.migrations).sort(), module.name).toEqual(files.sort());
		}
		const count = Object.keys(platformMigrations).length + modules.reduce((n, m) => n + Object.keys(m.migrations).length, 0);
		expect(Object.keys(migrations)).toHaveLength(count);
		expect(Object.keys(migrations)).toEqual([...Object.keys(migrations)].sort());
	});

	it('gives every API operation a unique id and every command a unique path', () => {
		const ids = operations.map((o) => o.id);
		expect(new Set(ids).size).toBe(ids.length);
		const paths = commands.map((c) => c.path.join(' '));
		expect(new Set(paths).size).toBe(paths.length);
	});

	it('orders the navigation and lets nothing register itself on import', async () => {
		expect(navigation.map((n) => n.order)).toEqual([...navigation.map((n) => n.order)].sort((a, b) => a - b));
		const { registeredKinds } = await import('./platform/jobs/jobs.ts');
		// Importing every module (above) registered no job: only installModules() does.
		expect(registeredKinds().filter((kind) => modules.some((m) => kind in (m.jobs ?? {})))).toEqual([]);
		const { installModules } = await import('./modules.ts');
		installModules();
		expect(registeredKinds()).toEqual(expect.arrayContaining(modules.flatMap((m) => Object.keys(m.jobs ?? {}))));
	});
});
