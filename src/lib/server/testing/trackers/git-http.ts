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
 *
 * With `gerrit`, it also plays the part of Gerrit for that repository: a push to refs/for/<branch>[%topic=…]
 * becomes change N under refs/changes/NN/N/1 (its Change-Id footer read from the commit), and
 * GET /changes/?q=change:<Change-Id or N> project:<project>&o=CURRENT_REVISION&o=CURRENT_FILES answers as Gerrit's
 * REST API does, behind the ")]}'" line. The test merges or abandons changes as reviewers would.
 */

export interface FakeGerritChange {
	number: number;
	changeId: string;
	branch: string;
	topic: string | null;
	subject: string;
	status: 'NEW' | 'MERGED' | 'ABANDONED';
	revision: string;
	files: string[];
	updated: Date;
}

export interface FakeGitHttp {
	url: string;
	/** With `gerrit`: the Gerrit root (REST under /changes/, authenticated under /a/changes/). */
	gerritUrl: string;
	/** With `gerrit`: changes pushed to refs/for/<branch>, by number. */
	changes: Map<number, FakeGerritChange>;
	/** Submits a change as Gerrit would: merges it into its branch. */
	mergeChange(number: number): void;
	abandonChange(number: number): void;
	repository: string;
	/** Runs git (with a fixed identity) in a working clone that can push to the repository directly. */
	run(...args: string[]): string;
	failNext(status: number, count?: number): void;
	/** How many HTTP requests reached the fake (git and Gerrit alike). */
	readonly requests: number;
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
	/** Serve this repository as Gerrit would, under this project name. */
	gerrit?: { project: string };
	/** Let clients without credentials clone and fetch (a public repository); pushes always need them. */
	anonymousReads?: boolean;
}): Promise<FakeGitHttp> {
	const root = mkdtempSync(join(tmpdir(), 'caucus-git-http-'));
	const repository = join(root, 'specs.git');
	git(root, ['init', '--quiet', '--bare', '--initial-branch=master', repository]);
	const work = join(root, 'work');
	git(root, ['clone', '--quiet', repository, work]);
	git(work, ['checkout', '--quiet', '-B', 'master']);
	const seed = options.seed ?? {
		'specs/2027.1/approved/index.rst': 'Approved\n========\n',
		'specs/2027.1/implemented/index.rst': 'Implemented\n===========\n'
	};
	for (const [path, content] of Object.entries(seed)) {
		mkdirSync(dirname(join(work, path)), { recursive: true });
		writeFileSync(join(work, path), content);
	}
	git(work, ['add', '.']);
	git(work, ['commit', '--quiet', '-m', 'Seed the specs layout']);
	git(work, ['push', '--quiet', 'origin', 'master']);

	let failures: { status: number; remaining: number } | null = null;
	const expected = `Basic ${Buffer.from(`${options.username}:${options.token}`).toString('base64')}`;
	const changes = new Map<number, FakeGerritChange>();
	let nextChange = 940_000;

	/** Turns what was pushed to refs/for/* into changes, as Gerrit's receive does. */
	function receiveChanges() {
		const pushed = git(repository, ['for-each-ref', '--format=%(refname) %(objectname)', 'refs/for/']).split('\n').filter(Boolean);
		for (const line of pushed) {
			const [ref, revision] = line.split(' ');
			const [branch, ...pushOptions] = ref.slice('refs/for/'.length).split('%');
			const topic =
				pushOptions
					.flatMap((o) => o.split(','))
					.find((o) => o.startsWith('topic='))
					?.slice(6) ?? null;
			const message = git(repository, ['log', '-1', '--format=%B', revision]);
			const changeId = /^Change-Id: (I[0-9a-f]{40})\s*$/m.exec(message)?.[1] ?? `I${revision}`;
			const files = git(repository, ['diff-tree', '--no-commit-id', '--name-only', '-r', revision]).split('\n').filter(Boolean);
			const number = nextChange++;
			git(repository, ['update-ref', `refs/changes/${String(number % 100).padStart(2, '0')}/${number}/1`, revision]);
			git(repository, ['update-ref', '-d', ref]);
			changes.set(number, { number, changeId, branch, topic, subject: message.split('\n')[0], status: 'NEW', revision, files, updated: new Date() });
		}
	}

	function gerritDate(date: Date): string {
		return date.toISOString().replace('T', ' ').replace('Z', '000000');
	}

	function answerChanges(url: URL, response: ServerResponse) {
		const query = url.searchParams.get('q') ?? '';
		const id = /change:(\S+)/.exec(query)?.[1];
		const project = /project:(\S+)/.exec(query)?.[1];
		const found = [...changes.values()].filter(
			(c) => (id === undefined || c.changeId === id || String(c.number) === id) && (project === undefined || project === options.gerrit!.project)
		);
		const body = found.map((c) => ({
			id: `${encodeURIComponent(options.gerrit!.project)}~${c.branch}~${c.changeId}`,
			project: options.gerrit!.project,
			branch: c.branch,
			topic: c.topic ?? undefined,
			change_id: c.changeId,
			subject: c.subject,
			status: c.status,
			updated: gerritDate(c.updated),
			_number: c.number,
			current_revision: c.revision,
			// Gerrit lists the commit message as a file of its own.
			revisions: { [c.revision]: { _number: 1, files: Object.fromEntries(['/COMMIT_MSG', ...c.files].map((f) => [f, { lines_inserted: 1 }])) } }
		}));
		response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(`)]}'\n${JSON.stringify(body)}`);
	}

	function handle(request: IncomingMessage, response: ServerResponse) {
		if (failures && failures.remaining > 0) {
			failures.remaining -= 1;
			response.writeHead(failures.status, { 'content-type': 'text/plain' }).end('Service Unavailable');
			return;
		}
		if (options.gerrit) {
			const url = new URL(request.url ?? '/', 'http://fake');
			const anonymous = url.pathname === '/changes/';
			if (anonymous || url.pathname === '/a/changes/') {
				if (!anonymous && request.headers.authorization !== expected) {
					response.writeHead(401, { 'content-type': 'text/plain' }).end('Unauthorized');
					return;
				}
				answerChanges(url, response);
				return;
			}
		}
		const url = new URL(request.url ?? '/', 'http://fake');
		const read = url.searchParams.get('service') === 'git-upload-pack' || url.pathname.endsWith('/git-upload-pack');
		const anonymousRead = options.anonymousReads && read && request.headers.authorization === undefined;
		// A credential that is sent must be right, even where none is needed, as forges answer.
		if (request.headers.authorization !== expected && !anonymousRead) {
			response.writeHead(401, { 'www-authenticate': 'Basic realm="git"', 'content-type': 'text/plain' }).end('Unauthorized');
			return;
		}
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
			if (options.gerrit && url.pathname.endsWith('/git-receive-pack')) receiveChanges();
			response.writeHead(status, headers).end(split < 0 ? raw : raw.subarray(split + gap));
		});
	}

	let requests = 0;
	const server: Server = createServer((request, response) => {
		requests++;
		return handle(request, response);
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const { port } = server.address() as AddressInfo;

	function changeOrThrow(number: number): FakeGerritChange {
		const change = changes.get(number);
		if (!change) throw new Error(`The fake Gerrit has no change ${number}`);
		return change;
	}

	return {
		url: `http://127.0.0.1:${port}/specs.git`,
		gerritUrl: `http://127.0.0.1:${port}`,
		repository,
		changes,
		mergeChange(number) {
			const change = changeOrThrow(number);
			const ref = `refs/changes/${String(number % 100).padStart(2, '0')}/${number}/1`;
			git(work, [
				'fetch',
				'--quiet',
				'origin',
				`+refs/heads/${change.branch}:refs/remotes/origin/${change.branch}`,
				`+${ref}:refs/remotes/origin/change-${number}`
			]);
			git(work, ['checkout', '--quiet', '-B', change.branch, `origin/${change.branch}`]);
			git(work, ['merge', '--quiet', '--no-ff', '-m', `Merge "${change.subject}"`, `origin/change-${number}`]);
			git(work, ['push', '--quiet', 'origin', `HEAD:refs/heads/${change.branch}`]);
			change.status = 'MERGED';
			change.updated = new Date(Math.max(Date.now(), change.updated.getTime() + 1000));
		},
		abandonChange(number) {
			const change = changeOrThrow(number);
			change.status = 'ABANDONED';
			change.updated = new Date(Math.max(Date.now(), change.updated.getTime() + 1000));
		},
		run: (...args) => git(work, args),
		get requests() {
			return requests;
		},
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
