import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { holderIsRunning, lockDataDir } from './lock.ts';

const dirs: string[] = [];
const tempDir = () => {
	const dir = mkdtempSync(join(tmpdir(), 'caucus-lock-'));
	dirs.push(dir);
	return dir;
};
afterEach(() => {
	for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the embedded database lock', () => {
	it('refuses a second holder while the first runs, and frees the folder on unlock', () => {
		const dir = tempDir();
		const unlock = lockDataDir(dir, 'first');
		expect(() => lockDataDir(dir, 'second')).toThrow(/in use by process/);
		unlock();
		lockDataDir(dir, 'third')();
	});

	it('takes over a lock whose holder died', () => {
		const dir = tempDir();
		const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
		writeFileSync(join(dir, 'caucus.lock'), JSON.stringify({ pid: Number(dead), purpose: 'gone' }));
		lockDataDir(dir, 'after')();
	});

	it('takes over a lock that names this very pid from an earlier life (a restarted container is pid 1 again)', () => {
		const dir = tempDir();
		writeFileSync(join(dir, 'caucus.lock'), JSON.stringify({ pid: process.pid, purpose: 'caucus serve before the restart' }));
		const unlock = lockDataDir(dir, 'after the restart');
		expect(JSON.parse(readFileSync(join(dir, 'caucus.lock'), 'utf8')).purpose).toBe('after the restart');
		unlock();
	});

	it('tells a reused pid from its holder by boot and start time', () => {
		const alive = { bootId: () => 'boot-b', startTimeOf: () => '500', isAlive: () => true };
		const holder = { pid: 4242, purpose: 'serve', bootId: 'boot-b', startTime: '500' };
		expect(holderIsRunning(holder, false, alive)).toBe(true);
		expect(holderIsRunning({ ...holder, bootId: 'boot-a' }, false, alive)).toBe(false);
		expect(holderIsRunning({ ...holder, startTime: '100' }, false, alive)).toBe(false);
		expect(holderIsRunning(holder, false, { ...alive, isAlive: () => false })).toBe(false);
		// An old file without boot or start time falls back to the pid alone.
		expect(holderIsRunning({ pid: 4242, purpose: 'serve' }, false, alive)).toBe(true);
	});
});
