// `npm test`: type-check, format, lint and module boundaries, then every Vitest project — integration suites on PGlite (and on PostgreSQL
// when TEST_DATABASE_URL is set) and the browser journeys in Chromium when a Chromium is present.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { findChromium } from '../e2e/chromium.ts';

const bin = (name: string) => new URL(`../node_modules/.bin/${name}`, import.meta.url).pathname;
const run = (command: string, args: string[]) => spawnSync(command, args, { stdio: 'inherit', env: process.env }).status ?? 1;

if (run(bin('svelte-kit'), ['sync']) !== 0) process.exit(1);
if (run(bin('svelte-check'), ['--tsconfig', './tsconfig.json', '--threshold', 'error']) !== 0) {
	console.error('\nType check failed; fix the errors above.');
	process.exit(1);
}
// One style, one set of lint rules and the module boundaries, checked on every run (docs/architecture.md).
const LINTED = ['src', 'bench', 'e2e', 'scripts', 'bin', '*.js', '*.ts'];
if (run(bin('prettier'), ['--check', '--log-level', 'warn', ...LINTED]) !== 0) {
	console.error('\nSome files are not formatted; run: npx prettier --write .');
	process.exit(1);
}
if (run(bin('eslint'), ['--max-warnings', '0', ...LINTED.filter((p) => !p.includes('*'))]) !== 0) {
	console.error('\nLint failed; fix the problems above.');
	process.exit(1);
}
if (run(bin('depcruise'), ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err']) !== 0) {
	console.error('\nA module boundary is crossed; see docs/architecture.md, "Crossing modules".');
	process.exit(1);
}

const projects = ['pglite'];
if (process.env.TEST_DATABASE_URL) projects.push('postgres');
else console.log('\nTEST_DATABASE_URL is not set: the integration suites run on the embedded database only.\n');

const chromium = findChromium();
if (chromium) projects.push('e2e');
else {
	const journeys = readdirSync(new URL('../e2e', import.meta.url)).filter((f) => f.endsWith('.e2e.ts'));
	const banner = [
		'',
		'!'.repeat(78),
		'!! NO CHROMIUM FOUND: the browser journeys were SKIPPED:',
		...journeys.map((j) => `!!   - e2e/${j}`),
		'!! Install it with:  sudo apt-get install -y chromium   (or set CHROMIUM_PATH)',
		'!'.repeat(78),
		''
	].join('\n');
	console.error(banner);
	if (process.env.CAUCUS_REQUIRE_BROWSER === '1') {
		console.error('CAUCUS_REQUIRE_BROWSER=1: a missing browser fails the run.');
		process.exit(1);
	}
}

const status = run(bin('vitest'), ['run', ...projects.flatMap((p) => ['--project', p]), ...process.argv.slice(2)]);
if (!chromium && status === 0) console.error('\nReminder: the browser journeys were skipped (no Chromium).');
process.exit(status);
