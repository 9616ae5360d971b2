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

/**
 * Starts the built server (`caucus serve --no-build`) as a child process on a free loopback port,
 * on a fresh embedded database unless `dataDir` or DATABASE_URL says otherwise. Used by the browser
 * journeys and the benchmarks.
 */
export async function startServer(env: Record<string, string> = {}, options: { dataDir?: string; keepData?: boolean } = {}): Promise<RunningServer> {
	const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'caucus-server-'));
	const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'caucus.js'), 'serve', '--no-build'], {
		cwd: ROOT,
		env: { ...process.env, CAUCUS_DATA: dataDir, PORT: '0', HOST: '127.0.0.1', CAUCUS_LOG_LEVEL: 'warn', ...env },
		stdio: ['ignore', 'pipe', 'pipe']
	});
	let output = '';
	const url = await new Promise<string>((resolve, reject) => {
		const timer = setTimeout(() => reject(new Error(`The server did not start:\n${output}`)), 90_000);
		const onData = (chunk: Buffer) => {
			output += chunk.toString();
			const match = output.match(/Caucus is running at (http:\/\/\S+)/);
			if (match) {
				clearTimeout(timer);
				resolve(match[1]);
			}
		};
		child.stdout!.on('data', onData);
		child.stderr!.on('data', onData);
		child.once('exit', (code) => {
			clearTimeout(timer);
			reject(new Error(`The server exited with ${code}:\n${output}`));
		});
	});
	// Keep draining output so a chatty server never blocks on a full pipe.
	child.stdout!.resume();
	child.stderr!.resume();
	return {
		url,
		pid: child.pid!,
		dataDir,
		async stop() {
			if (child.exitCode === null && child.signalCode === null) {
				const exited = new Promise((resolve) => child.once('exit', resolve));
				child.kill('SIGTERM');
				await exited;
			}
			if (!options.keepData && !options.dataDir) rmSync(dataDir, { recursive: true, force: true });
		}
	};
}
