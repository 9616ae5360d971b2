import { execFileSync, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * Git's smart HTTP protocol for tests, served by git's own `git http-backend` (as CGI) behind HTTP Basic
 * authentication, on 127.0.0.1 at a random port. It hosts one bare repository laid out like an OpenStack specs
 * repository, so the specs provider can clone, fetch and push over HTTP with a token as it would against a forge.
 *
 *   url            the repository's URL (what a specs tracker's base URL is set to)
 *   repository     the bare repository on disk, for the test to inspect
 *   run(...)       runs git in a reviewer's clone of it (merge a branch, move a file, delete a branch)
 *   failNext(503)  answers the next requests with an error, as an overloaded forge would
 */

export interface FakeGitHttp {
	url: string;
	repository: string;
	/** Runs git (with a fixed identity) in a working clone that can push to the repository directly. */
	run(...args: string[]): string;
	failNext(status: number, count?: number): void;
	close(): Promise<void>;
}

const gitEnv = () => ({ ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' });

function git(cwd: string, args: string[]): string {
	return execFileSync('git', ['-c', 'user.name=Reviewer', '-c', 'user.email=reviewer@example.org', '-c', 'commit.gpgsign=false', ...args], {
		cwd,
		env: gitEnv(),
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe']
	});
}

export async function startFakeGitHttp(options: {
	username: string;
	token: string;
	/** Files of the first commit on `master`, by path. */
	seed?: Record<string, string>;
}): Promise<FakeGitHttp> {
	const root = mkdtempSync(join(tmpdir(), 'caucus-git-http-'));
	const repository = join(root, 'specs.git');
	git(root, ['init', '--quiet', '--bare', '--initial-branch=master', repository]);
	const work = join(root, 'work');
	git(root, ['clone', '--quiet', repository, work]);
	git(work, ['checkout', '--quiet', '-B', 'master']);
	const seed = options.seed ?? { 'specs/2027.1/approved/index.rst': 'Approved\n========\n', 'specs/2027.1/implemented/index.rst': 'Implemented\n===========\n' };
	for (const [path, content] of Object.entries(seed)) {
		mkdirSync(dirname(join(work, path)), { recursive: true });
		writeFileSync(join(work, path), content);
	}
	git(work, ['add', '.']);
	git(work, ['commit', '--quiet', '-m', 'Seed the specs layout']);
	git(work, ['push', '--quiet', 'origin', 'master']);

	let failures: { status: number; remaining: number } | null = null;
	const expected = `Basic ${Buffer.from(`${options.username}:${options.token}`).toString('base64')}`;

	function handle(request: IncomingMessage, response: ServerResponse) {
		if (failures && failures.remaining > 0) {
			failures.remaining -= 1;
			response.writeHead(failures.status, { 'content-type': 'text/plain' }).end('Service Unavailable');
			return;
		}
		if (request.headers.authorization !== expected) {
			response.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' }).end('Unauthorized');
			return;
		}
		const url = new URL(request.url ?? '/', 'http://fake');
		const cgi = spawn('git', ['http-backend'], {
			env: {
				...gitEnv(),
				GIT_PROJECT_ROOT: root,
				GIT_HTTP_EXPORT_ALL: '1',
				PATH_INFO: decodeURIComponent(url.pathname),
				QUERY_STRING: url.search.slice(1),
				REQUEST_METHOD: request.method ?? 'GET',
				CONTENT_TYPE: request.headers['content-type'] ?? '',
				HTTP_CONTENT_ENCODING: request.headers['content-encoding'] ?? '',
				HTTP_GIT_PROTOCOL: String(request.headers['git-protocol'] ?? ''),
				// An authenticated user is what lets http-backend accept pushes.
				REMOTE_USER: options.username,
				REMOTE_ADDR: '127.0.0.1'
			}
		});
		const out: Buffer[] = [];
		cgi.stdout.on('data', (chunk: Buffer) => out.push(chunk));
		cgi.stderr.resume();
		request.pipe(cgi.stdin);
		cgi.on('close', () => {
			const raw = Buffer.concat(out);
			let split = raw.indexOf('\r\n\r\n');
			let gap = 4;
			if (split < 0) {
				split = raw.indexOf('\n\n');
				gap = 2;
			}
			const head = raw.subarray(0, Math.max(split, 0)).toString('latin1');
			const headers: Record<string, string> = {};
			let status = 200;
			for (const line of head.split(/\r?\n/)) {
				const colon = line.indexOf(':');
				if (colon < 0) continue;
				const name = line.slice(0, colon).trim();
				const value = line.slice(colon + 1).trim();
				if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 200;
				else headers[name] = value;
			}
			response.writeHead(status, headers).end(split < 0 ? raw : raw.subarray(split + gap));
		});
	}

	const server: Server = createServer(handle);
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;

	return {
		url: `http://127.0.0.1:${port}/specs.git`,
		repository,
		run: (...args) => git(work, args),
		failNext(status, count = 1) {
			failures = { status, remaining: count };
		},
		close() {
			return new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => {
					rmSync(root, { recursive: true, force: true });
					resolve();
				});
			});
		}
	};
}
