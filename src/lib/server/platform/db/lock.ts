import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The embedded database may be opened by one process at a time. A file in the data folder says who holds
 * it: the process id, and where the system tells them, the boot and the process's start time, because a
 * process id alone is reused (a restarted container runs its server as pid 1 again, the dead holder's pid).
 * A file whose holder no longer runs is taken over.
 */
export interface LockHolder {
	pid: number;
	purpose: string;
	bootId?: string | null;
	startTime?: string | null;
	/** Where a server holding the database answers, so read-only commands can ask it instead (`caucus serve` writes it). */
	url?: string;
}

/** Data folders this process holds, so its own pid in a lock file is told apart from a previous life's. */
const heldHere = new Set<string>();

export function lockDataDir(dataDir: string, purpose: string): () => void {
	if (dataDir.startsWith('memory://')) return () => {};
	mkdirSync(dataDir, { recursive: true });
	const file = join(dataDir, 'caucus.lock');
	const key = resolve(file);
	for (let attempt = 0; attempt < 2; attempt++) {
		try {
			const fd = openSync(file, 'wx');
			const holder: LockHolder = { pid: process.pid, purpose, bootId: bootId(), startTime: startTimeOf(process.pid) };
			writeSync(fd, JSON.stringify(holder));
			closeSync(fd);
			heldHere.add(key);
			return () => {
				heldHere.delete(key);
				rmSync(file, { force: true });
			};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const holder = readHolder(file);
			if (holder && holderIsRunning(holder, heldHere.has(key))) {
				throw new Error(
					`The embedded database in ${dataDir} is in use by process ${holder.pid} (${holder.purpose}). ` +
						'Stop it first, or run this against a PostgreSQL server with DATABASE_URL.',
					{ cause: error }
				);
			}
			rmSync(file, { force: true });
		}
	}
	throw new Error(`Could not lock ${file}.`);
}

/** Adds where this process's server answers to the lock file it holds. */
export function recordHolderUrl(dataDir: string, url: string): void {
	const file = join(dataDir, 'caucus.lock');
	const holder = readHolder(file);
	// By pid alone: the built app, which took the lock, bundles its own copy of this module.
	if (!holder || holder.pid !== process.pid) return;
	writeFileSync(file, JSON.stringify({ ...holder, url }));
}

/** The server that holds the embedded database in `dataDir` and said where it answers; null when none runs. */
export function runningServerOf(dataDir: string): string | null {
	const file = join(dataDir, 'caucus.lock');
	const holder = readHolder(file);
	if (!holder?.url || !holderIsRunning(holder, heldHere.has(resolve(file)))) return null;
	return holder.url;
}

/**
 * Whether the process that wrote a lock file still runs. `heldByThisProcess` says whether this very
 * process took the lock; if not, our own pid in the file was written by an earlier process that had it.
 */
export function holderIsRunning(
	holder: LockHolder,
	heldByThisProcess: boolean,
	system: { bootId: () => string | null; startTimeOf: (pid: number) => string | null; isAlive: (pid: number) => boolean } = { bootId, startTimeOf, isAlive }
): boolean {
	if (holder.pid === process.pid) return heldByThisProcess;
	const boot = system.bootId();
	if (holder.bootId && boot && holder.bootId !== boot) return false;
	if (!system.isAlive(holder.pid)) return false;
	const started = holder.startTime ? system.startTimeOf(holder.pid) : null;
	return !(holder.startTime && started && started !== holder.startTime);
}

function readHolder(file: string): LockHolder | null {
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

/** This boot's id (Linux); null where the system does not say. */
function bootId(): string | null {
	try {
		return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
	} catch {
		return null;
	}
}

/** When a process started, in clock ticks since boot (field 22 of /proc/<pid>/stat, Linux); null elsewhere. */
function startTimeOf(pid: number): string | null {
	try {
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		// The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are plain.
		return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
	} catch {
		return null;
	}
}
