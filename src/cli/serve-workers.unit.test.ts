import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** `caucus serve` refuses more than one HTTP worker on the embedded database before it builds or opens anything. */
const ROOT = new URL('../..', import.meta.url).pathname;
const dataDir = mkdtempSync(join(tmpdir(), 'caucus-workers-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function serve(args: string[], env: Record<string, string>) {
	const { DATABASE_URL: _ignored, ...rest } = process.env;
	const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'caucus.js'), 'serve', ...args], {
		cwd: ROOT,
		env: { ...rest, CAUCUS_DATA: dataDir, PORT: '0', ...env },
		encoding: 'utf8',
		timeout: 60_000
	});
	return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('caucus serve with more than one worker on the embedded database', () => {
	it('refuses CAUCUS_WORKERS=2, naming the setting', () => {
		const { status, output } = serve(['--no-build'], { CAUCUS_WORKERS: '2' });
		expect(status).toBe(2);
		expect(output).toMatch(/CAUCUS_WORKERS must be 1 with the embedded database/);
		expect(output).toMatch(/DATABASE_URL/);
		expect(readdirSync(dataDir)).toEqual([]);
	});

	it('refuses --workers 2, naming the flag, and a --workers that is not a number of processes', () => {
		const refused = serve(['--no-build', '--workers', '2'], {});
		expect(refused.status).toBe(2);
		expect(refused.output).toMatch(/--workers must be 1 with the embedded database/);
		const invalid = serve(['--no-build', '--workers', '0'], {});
		expect(invalid.status).toBe(1);
		expect(invalid.output).toMatch(/option '--workers <n>' argument '0' is invalid\. must be a whole number from 1 to 64/);
		expect(readdirSync(dataDir)).toEqual([]);
	});
});
