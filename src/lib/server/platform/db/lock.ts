import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The embedded database may be opened by one process at a time. A pid file in the data folder says who
 * holds it; a stale file from a process that died is taken over.
 */
export function lockDataDir(dataDir: string, purpose: string): () => void {
	if (dataDir.startsWith('memory://')) return () => {};
	mkdirSync(dataDir, { recursive: true });
	const file = join(dataDir, 'caucus.lock');
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const fd = openSync(file, 'wx');
			writeSync(fd, JSON.stringify({ pid: process.pid, purpose }));
			closeSync(fd);
			return () => rmSync(file, { force: true });
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const holder = readHolder(file);
			if (holder && isAlive(holder.pid)) {
				throw new Error(
					`The embedded database in ${dataDir} is in use by process ${holder.pid} (${holder.purpose}). ` +
						'Stop it first, or run this against a PostgreSQL server with DATABASE_URL.'
				);
			}
			rmSync(file, { force: true });
		}
	}
	throw new Error(`Could not lock ${file}.`);
}

function readHolder(file: string): { pid: number; purpose: string } | null {
	try {
		return JSON.parse(readFileSync(file, 'utf8'));
	} catch {
		return null;
	}
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
