import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../../..', import.meta.url).pathname;

export interface RunningServer {
	url: string;
	pid: number;
	dataDir: string;
	stop(): Promise<void>;
}

export interface ListeningProcess {
	url: string;
	pid: number;
	stop(): Promise<void>;
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
		}
	};
}
