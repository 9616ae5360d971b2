import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../..', import.meta.url).pathname;
const SOURCES = ['src', 'static', 'vite.config.ts', 'package-lock.json', 'package.json'];

function newestMtime(path: string): number {
	if (!existsSync(path)) return 0;
	const stat = statSync(path);
	if (!stat.isDirectory()) return stat.mtimeMs;
	let newest = stat.mtimeMs;
	for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
	return newest;
}

export const BUILD_ENTRY = join(ROOT, 'build', 'handler.js');

/** True when the built server is missing or older than any source it was built from. */
export function buildIsStale(): boolean {
	if (!existsSync(BUILD_ENTRY)) return true;
	const built = statSync(BUILD_ENTRY).mtimeMs;
	return SOURCES.some((source) => newestMtime(join(ROOT, source)) > built);
}

export function build(): void {
	const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
	const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: ['inherit', 'pipe', 'inherit'], encoding: 'utf8' });
	// SvelteKit and its adapter talk to someone developing the site ("Run npm run preview ..."); whoever ran
	// `npm start` or `caucus serve` only needs to hear of warnings and errors, which come on stderr.
	const chatter = /npm run preview|^> Using @sveltejs\/adapter|^✔ done$|^\s*$/;
	const said = (result.stdout ?? '').split('\n').filter((line) => !chatter.test(line));
	if (said.length) process.stdout.write(`${said.join('\n')}\n`);
	if (result.status !== 0) throw new Error('The build failed; see the messages above.');
}
