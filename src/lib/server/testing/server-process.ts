import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../../..', import.meta.url).pathname;

export interface RunningServer {
	url: string;
	pid: number;
	dataDir: string;
	stop(): Promise<void>;
	/** SIGKILL for the process and every process it started (a cluster's workers), as a crash or the OOM killer would. */
	kill(): Promise<void>;
}

export interface ListeningProcess {
	url: string;
	pid: number;
	stop(): Promise<void>;
	/** SIGKILL for the process and all its descendants at once; resolves when they are gone. */
	kill(): Promise<void>;
}

/** The processes descended from `pid` (children, grandchildren…), from ps. */
function descendants(pid: number): number[] {
	const ps = spawnSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' });
	const children = new Map<number, number[]>();
	for (const line of ps.stdout.split('\n')) {
		const [child, parent] = line.trim().split(/\s+/).map(Number);
		if (!child || !parent) continue;
		children.set(parent, [...(children.get(parent) ?? []), child]);
	}
	const found: number[] = [];
	const queue = [pid];
	while (queue.length) {
		for (const child of children.get(queue.shift()!) ?? []) {
			found.push(child);
			queue.push(child);
		}
	}
	return found;
}

function isRunning(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/**
 * Spawns a Node script that serves HTTP and resolves with the URL it prints (the first capture group of
 * `announces`), failing with its output if it exits or stays silent. `stop` ends it with SIGTERM.
 */
export async function spawnListening(script: string, args: string[], env: NodeJS.ProcessEnv, announces: RegExp, what: string): Promise<ListeningProcess> {
	const child: ChildProcess = spawn(process.execPath, [script, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
	let output = '';
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`${what} did not start:\n${output}`)), 90_000);
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			const match = output.match(announces);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]);
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`${what} exited with ${code}:\n${output}`));
		});
	});
	// Keep draining output so a chatty process never blocks on a full pipe.
	child.stdout!.resume();
	child.stderr!.resume();
	return {
		url,
		pid: child.pid!,
		async stop() {
			if (child.exitCode === null && child.signalCode === null) {
				const exited = new Promise((resolve) => child.once('exit', resolve));
				child.kill('SIGTERM');
				await exited;
			}
		},
		async kill() {
			if (child.exitCode !== null || child.signalCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			// Descendants first, found while their parent still lives, then the process itself: all within a moment.
			const others = descendants(child.pid!);
			for (const pid of [...others, child.pid!]) {
				try {
					process.kill(pid, 'SIGKILL');
				} catch {
					// gone already
				}
			}
			await exited;
			// The descendants are reaped by whoever inherits them; wait (a little) until they are.
			const deadline = Date.now() + 10_000;
			while (others.some(isRunning) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
		}
	};
}

/**
 * Starts the built server (`caucus serve --no-build`) as a child process on a free loopback port,
 * on a fresh embedded database unless `dataDir` or DATABASE_URL says otherwise. Used by the browser
 * journeys and the benchmarks.
 */
export async function startServer(env: Record<string, string> = {}, options: { dataDir?: string; keepData?: boolean } = {}): Promise<RunningServer> {
	const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'caucus-server-'));
	const server = await spawnListening(
		join(ROOT, 'bin', 'caucus.js'),
		['serve', '--no-build'],
		{ ...process.env, CAUCUS_DATA: dataDir, PORT: '0', HOST: '127.0.0.1', CAUCUS_LOG_LEVEL: 'warn', ...env },
		/Caucus is running at (http:\/\/\S+)/,
		'The server'
	).catch((error) => {
		if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
		throw error;
	});
	return {
		url: server.url,
		pid: server.pid,
		dataDir,
		async stop() {
			await server.stop();
			if (!options.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
		},
		kill: () => server.kill()
	};
}
