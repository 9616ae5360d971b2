import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sampleEvidence, trackerConnection } from '#lib/server/testing/trackers/evidence.ts';
import { startFakeGitHttp } from '#lib/server/testing/trackers/git-http.ts';
import { classifyGitFailure, gitRemoteGuard, rstTitle, specs } from './specs.ts';
import { TrackerError, type TrackerConnection } from './provider.ts';
import { allowPrivateAddresses, resolveHostsWith } from '#lib/server/platform/http/outgoing.ts';

// The fake trackers listen on 127.0.0.1: allowed here as CAUCUS_ALLOW_PRIVATE_TRACKERS=1 would.
allowPrivateAddresses(true);

/*
 * Real git repositories made for the test: a bare "upstream" with the layout of a specs repository, and a
 * reviewer's clone that merges proposals, moves specs to implemented/ and deletes branches, as review would.
 */

let root: string;
let upstream: string;
let reviewer: string;
let tracker: TrackerConnection;
let counter = 0;

const gitEnv = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
function git(cwd: string, ...args: string[]): string {
	return execFileSync('git', ['-c', 'user.name=Reviewer', '-c', 'user.email=reviewer@example.org', '-c', 'commit.gpgsign=false', ...args], {
		cwd,
		env: gitEnv,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe']
	});
}

function hasDocutils(): boolean {
	try {
		execFileSync('python3', ['-c', 'import docutils'], { stdio: 'ignore' });
		return true;
	} catch {
		return false;
	}
}

beforeAll(() => {
	root = mkdtempSync(join(tmpdir(), 'caucus-specs-test-'));
	upstream = join(root, 'nova-specs.git');
	git(root, 'init', '--quiet', '--bare', '--initial-branch=master', upstream);
	const seed = join(root, 'seed');
	git(root, 'clone', '--quiet', upstream, seed);
	git(seed, 'checkout', '--quiet', '-b', 'master');
	for (const dir of ['specs/2027.1/approved', 'specs/2027.1/implemented', 'specs/backlog/approved']) {
		mkdirSync(join(seed, dir), { recursive: true });
		writeFileSync(join(seed, dir, 'index.rst'), `${dir}\n${'='.repeat(dir.length)}\n`);
	}
	writeFileSync(join(seed, 'specs/template.rst'), 'Example Spec\n============\n');
	git(seed, 'add', '.');
	git(seed, 'commit', '--quiet', '-m', 'Seed the specs layout');
	git(seed, 'push', '--quiet', 'origin', 'master');
	reviewer = join(root, 'reviewer');
	git(root, 'clone', '--quiet', upstream, reviewer);
	tracker = trackerConnection({
		provider: 'specs',
		baseUrl: upstream,
		project: 'openstack/nova-specs',
		settings: {
			directory: 'specs/{cycle}/approved/',
			cycle: '2027.1',
			baseBranch: 'master',
			authorName: 'Caucus Bot',
			authorEmail: 'bot@caucus.example',
			webUrl: 'https://opendev.org/openstack/nova-specs/src/branch/{branch}/{path}'
		}
	});
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach(() => {
	counter += 1;
});

/** A draft whose path and branch are unique to the test. */
function uniqueDraft() {
	const evidence = sampleEvidence();
	evidence.need.id = 100 + counter;
	evidence.need.title = `Live-migrate instances with vGPUs, take ${counter}`;
	return specs.draft(tracker, evidence, 'spec');
}

function reviewMerge(branch: string) {
	git(reviewer, 'fetch', '--quiet', 'origin');
	git(reviewer, 'checkout', '--quiet', 'master');
	git(reviewer, 'reset', '--quiet', '--hard', 'origin/master');
	git(reviewer, 'merge', '--quiet', '--no-ff', '-m', `Merge ${branch}`, `origin/${branch}`);
	git(reviewer, 'push', '--quiet', 'origin', 'master');
	git(reviewer, 'push', '--quiet', 'origin', '--delete', branch);
}

function markImplemented(path: string) {
	git(reviewer, 'fetch', '--quiet', 'origin');
	git(reviewer, 'reset', '--quiet', '--hard', 'origin/master');
	git(reviewer, 'mv', path, path.replace('/approved/', '/implemented/'));
	git(reviewer, 'commit', '--quiet', '-m', 'Move implemented spec');
	git(reviewer, 'push', '--quiet', 'origin', 'master');
}

async function rejection(promise: Promise<unknown>): Promise<TrackerError> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e
	);
	expect(error).toBeInstanceOf(TrackerError);
	return error as TrackerError;
}

describe('Spec drafts', () => {
	it('follow the OpenStack specs template with what Caucus knows filled in', () => {
		const draft = specs.draft(tracker, sampleEvidence(), 'spec');
		expect(draft.fields).toEqual({
			path: 'specs/2027.1/approved/live-migrate-instances-with-vgpus-attached.rst',
			branch: 'caucus/need-42-live-migrate-instances-with-vgpus-attached',
			needUrl: 'https://caucus.example/needs/42'
		});
		const body = draft.body;
		expect(body.startsWith('..\n This work is licensed under a Creative Commons Attribution 3.0 Unported\n License.')).toBe(true);
		expect(body).toContain(
			'==========================================\nLive-migrate instances with vGPUs attached\n==========================================\n'
		);
		const headings = [...body.matchAll(/^([^\n]+)\n([=-])\2+$/gm)].map((m) => `${m[2]} ${m[1]}`);
		expect(headings).toEqual([
			'= Live-migrate instances with vGPUs attached',
			'= Problem description',
			'- Use Cases',
			'= Proposed change',
			'- Alternatives',
			'- Data model impact',
			'- REST API impact',
			'- Security impact',
			'- Notifications impact',
			'- Other end user impact',
			'- Performance Impact',
			'- Other deployer impact',
			'- Developer impact',
			'- Upgrade impact',
			'= Implementation',
			'- Assignee(s)',
			'- Work Items',
			'= Dependencies',
			'= Testing',
			'= Documentation Impact',
			'= References',
			'= History'
		]);
		// The need, in reStructuredText.
		expect(body).toContain('Operators cannot drain a **GPU host** for maintenance: ``nova live-migration`` refuses instances with vGPUs.');
		expect(body).toContain('**Steps**');
		expect(body).toContain('#. Boot an instance with a ``resources:VGPU=1`` flavor');
		expect(body).toContain('`the nova docs <https://docs.openstack.org/nova/latest/admin/virtual-gpu.html>`__');
		// Evidence where the template asks for it: use cases from impacts, deployer impact from deployments.
		expect(body).toContain(
			'Supporters described the impact on their deployments:\n\n* **Alice Operator**: We keep 40 GPU hosts out of rotation for weeks [every] quarter.'
		);
		expect(body).toContain('The deployments that reported this need:\n\n.. list-table::\n   :header-rows: 1\n\n   * - Deployment');
		expect(body).toContain('   * - Acme \\| Cloud \\*EU\\*\n     - Acme Inc.\n     - 800\n     - 20,000\n     - 2025.1');
		expect(body).toContain('Supporters run 2025.1, 2025.2.');
		expect(body).toContain('`need #42: Live-migrate instances with vGPUs attached <https://caucus.example/needs/42>`__');
		// The rest keeps the template's guidance for the developers to write.
		expect(body).toContain('Primary assignee:\n  <launchpad-id or None>');
		expect(body).toContain('   * - 2027.1\n     - Introduced');
		expect(rstTitle(body)).toBe('Live-migrate instances with vGPUs attached');
	});

	// The specs repositories build their specs with docutils (through Sphinx): a draft must not make that job fail.
	// Where docutils is not installed the check cannot run, and says so as a skipped test.
	it.skipIf(!hasDocutils())('build with docutils without a warning, whatever the member wrote', () => {
		const evidence = sampleEvidence();
		evidence.need.body +=
			'\n\n> quoted *text* with a_b, `code` and |pipes|\n\n```sh\nnova list\n```\n\n- a\n  - nested\n- b\n\n| x | y |\n|---|---|\n| 1 | |\n\n***\n\n.. not a directive\n\n_under_ *star\n';
		const source = specs.draft(tracker, evidence, 'spec').body;
		const script =
			'import sys, docutils.core; docutils.core.publish_string(sys.stdin.read(), writer_name="null", settings_overrides={"halt_level": 2, "report_level": 2})';
		expect(() => execFileSync('python3', ['-c', script], { input: source, stdio: ['pipe', 'pipe', 'pipe'] })).not.toThrow();
	});

	it('fall back to the backlog when no cycle is configured', () => {
		const draft = specs.draft({ ...tracker, settings: {} }, sampleEvidence(), 'spec');
		expect(draft.fields.path).toBe('specs/backlog/approved/live-migrate-instances-with-vgpus-attached.rst');
	});
});

describe('Specs', () => {
	it('are committed on a new branch, pushed, and read back as proposed', async () => {
		const draft = uniqueDraft();
		const item = await specs.create(tracker, draft);
		const { branch, path } = draft.fields;
		expect(item).toMatchObject({
			key: `${branch}:${path}`,
			url: `https://opendev.org/openstack/nova-specs/src/branch/${branch}/${path}`,
			title: draft.title,
			state: 'proposed',
			status: 'handed_upstream',
			deliveredIn: null
		});
		expect(git(upstream, 'show', `refs/heads/${branch}:${path}`)).toBe(draft.body);
		expect(git(upstream, 'log', '-1', '--format=%an <%ae>%n%s', `refs/heads/${branch}`).trim()).toBe(`Caucus Bot <bot@caucus.example>\n${draft.title}`);
		// The base branch is untouched until review merges.
		expect(() => git(upstream, 'show', `refs/heads/master:${path}`)).toThrow();
	});

	it('merged by review read as in progress, targeted at the cycle', async () => {
		const draft = uniqueDraft();
		const created = await specs.create(tracker, draft);
		reviewMerge(draft.fields.branch);
		const item = await specs.fetch(tracker, created.key);
		expect(item).toMatchObject({
			state: 'approved',
			status: 'in_progress',
			deliveredIn: '2027.1',
			url: `https://opendev.org/openstack/nova-specs/src/branch/master/${draft.fields.path}`
		});
	});

	it('moved to implemented/ read as delivered in that cycle', async () => {
		const draft = uniqueDraft();
		const created = await specs.create(tracker, draft);
		reviewMerge(draft.fields.branch);
		markImplemented(draft.fields.path);
		const item = await specs.fetch(tracker, created.key);
		expect(item).toMatchObject({ state: 'implemented', status: 'delivered', deliveredIn: '2027.1', title: draft.title });
		expect(item.url).toContain('/src/branch/master/specs/2027.1/implemented/');
	});

	it('re-proposed for a later cycle are still found by name', async () => {
		const draft = uniqueDraft();
		const created = await specs.create(tracker, draft);
		reviewMerge(draft.fields.branch);
		git(reviewer, 'fetch', '--quiet', 'origin');
		git(reviewer, 'reset', '--quiet', '--hard', 'origin/master');
		mkdirSync(join(reviewer, 'specs/2027.2/approved'), { recursive: true });
		git(reviewer, 'mv', draft.fields.path, draft.fields.path.replace('2027.1', '2027.2'));
		git(reviewer, 'commit', '--quiet', '-m', 'Re-propose for 2027.2');
		git(reviewer, 'push', '--quiet', 'origin', 'master');
		expect(await specs.fetch(tracker, created.key)).toMatchObject({ status: 'in_progress', deliveredIn: '2027.2' });
	});

	it('whose branch was deleted without merging read as declined', async () => {
		const draft = uniqueDraft();
		const created = await specs.create(tracker, draft);
		git(reviewer, 'push', '--quiet', 'origin', '--delete', draft.fields.branch);
		expect(await specs.fetch(tracker, created.key)).toMatchObject({ state: 'abandoned', status: 'declined_upstream', deliveredIn: null });
	});

	it('are not proposed twice on the same branch or path', async () => {
		const draft = uniqueDraft();
		await specs.create(tracker, draft);
		expect((await rejection(specs.create(tracker, draft))).message).toContain('already has a branch');
		reviewMerge(draft.fields.branch);
		const again = await rejection(specs.create(tracker, { ...draft, fields: { ...draft.fields, branch: `${draft.fields.branch}-2` } }));
		expect(again.message).toContain('already has a file');
	});

	it('refuse unsafe paths and branch names before running git', async () => {
		const draft = uniqueDraft();
		for (const path of ['../outside.rst', '/etc/passwd.rst', 'specs/x.txt', 'specs/a b.rst', 'specs/../../x.rst']) {
			expect((await rejection(specs.create(tracker, { ...draft, fields: { ...draft.fields, path } }))).retryable).toBe(false);
		}
		for (const branch of ['--upload-pack=touch /tmp/x', 'a..b', 'has space', 'x:y', '']) {
			expect((await rejection(specs.create(tracker, { ...draft, fields: { ...draft.fields, branch } }))).retryable).toBe(false);
		}
	});

	it('in a repository that does not exist are a final error; command-running transports are refused', async () => {
		const missing = { ...tracker, baseUrl: join(root, 'missing.git') };
		expect(await rejection(specs.create(missing, uniqueDraft()))).toMatchObject({ retryable: false });
		expect(await rejection(specs.fetch(missing, 'b:specs/x.rst'))).toMatchObject({ retryable: false });
		const ext = { ...tracker, baseUrl: `ext::sh -c touch% ${join(root, 'pwned')}` };
		expect(await rejection(specs.fetch(ext, 'b:specs/x.rst'))).toMatchObject({ retryable: false });
		expect(() => execFileSync('test', ['-e', join(root, 'pwned')])).toThrow();
	});

	it('with a key that is not branch:path are a final error', async () => {
		expect(await rejection(specs.fetch(tracker, 'no-colon'))).toMatchObject({ retryable: false });
		expect(await rejection(specs.fetch(tracker, 'b:../x.rst'))).toMatchObject({ retryable: false });
	});
});

describe('Specs over HTTP', () => {
	it('push and fetch with the token, refuse bad credentials for good, and retry a 5xx', async () => {
		const forge = await startFakeGitHttp({ username: 'caucus-bot', token: 'http-token' });
		try {
			const http = { ...tracker, baseUrl: forge.url, credentials: { username: 'caucus-bot', token: 'http-token' } };
			const draft = uniqueDraft();
			const item = await specs.create(http, draft);
			expect(item).toMatchObject({ status: 'handed_upstream', state: 'proposed' });
			expect(git(forge.repository, 'show', `refs/heads/${draft.fields.branch}:${draft.fields.path}`)).toBe(draft.body);

			forge.run('fetch', '--quiet', 'origin');
			forge.run('merge', '--quiet', '--no-ff', '-m', 'Merge', `origin/${draft.fields.branch}`);
			forge.run('push', '--quiet', 'origin', 'master');
			expect(await specs.fetch(http, item.key)).toMatchObject({ status: 'in_progress', deliveredIn: '2027.1' });

			const wrong = { ...http, credentials: { username: 'caucus-bot', token: 'wrong' } };
			expect(await rejection(specs.fetch(wrong, item.key))).toMatchObject({ retryable: false });
			expect(await rejection(specs.create(wrong, uniqueDraft()))).toMatchObject({ retryable: false });
			expect(await rejection(specs.fetch({ ...http, credentials: null }, item.key))).toMatchObject({ retryable: false });

			forge.failNext(503, 10);
			const busy = await rejection(specs.fetch(http, item.key));
			expect(busy.retryable).toBe(true);
		} finally {
			await forge.close();
		}
	});
});

describe('Specs reviewed in Gerrit', () => {
	it('are pushed as a change with a Change-Id and followed through review to implemented', async () => {
		const gerrit = await startFakeGitHttp({ username: 'caucus-bot', token: 'http-token', gerrit: { project: 'openstack/nova-specs' }, anonymousReads: true });
		try {
			const reviewed = {
				...tracker,
				baseUrl: gerrit.url,
				credentials: { username: 'caucus-bot', token: 'http-token' },
				settings: { ...tracker.settings, review: 'gerrit', gerritUrl: gerrit.gerritUrl }
			};
			const draft = uniqueDraft();
			const item = await specs.create(reviewed, draft);
			const change = [...gerrit.changes.values()].at(-1)!;
			expect(change).toMatchObject({ branch: 'master', topic: draft.fields.branch, subject: draft.title, status: 'NEW', files: [draft.fields.path] });
			expect(item).toMatchObject({
				key: `gerrit:${change.changeId}`,
				url: `${gerrit.gerritUrl}/c/openstack/nova-specs/+/${change.number}`,
				title: draft.title,
				state: 'in review',
				status: 'handed_upstream'
			});
			// Nothing lands on a branch of the repository until review merges it.
			expect(git(gerrit.repository, 'branch', '--list').trim()).toBe('* master');

			gerrit.mergeChange(change.number);
			expect(await specs.fetch(reviewed, item.key)).toMatchObject({ state: 'approved', status: 'in_progress', deliveredIn: '2027.1' });
			gerrit.run('fetch', '--quiet', 'origin');
			gerrit.run('reset', '--quiet', '--hard', 'origin/master');
			gerrit.run('mv', draft.fields.path, draft.fields.path.replace('/approved/', '/implemented/'));
			gerrit.run('commit', '--quiet', '-m', 'Move implemented spec');
			gerrit.run('push', '--quiet', 'origin', 'master');
			// Linked by its review URL, by number, it reads the same.
			const linked = specs.keyFromUrl(reviewed, `${gerrit.gerritUrl}/c/openstack/nova-specs/+/${change.number}/1`);
			expect(linked).toBe(`gerrit:${change.number}`);
			expect(await specs.fetch(reviewed, linked!)).toMatchObject({ state: 'implemented', status: 'delivered', deliveredIn: '2027.1', title: draft.title });

			const other = uniqueDraft();
			const abandoned = await specs.create(reviewed, other);
			gerrit.abandonChange([...gerrit.changes.values()].at(-1)!.number);
			expect(await specs.fetch(reviewed, abandoned.key)).toMatchObject({ state: 'abandoned', status: 'declined_upstream' });

			// Anonymous reads work too; a change Gerrit does not have is a final error.
			expect((await specs.fetch({ ...reviewed, credentials: null }, item.key)).status).toBe('delivered');
			expect(await rejection(specs.fetch(reviewed, 'gerrit:1'))).toMatchObject({ retryable: false });
			expect(specs.keyFromUrl(reviewed, `${gerrit.gerritUrl}/c/openstack/glance-specs/+/${change.number}`)).toBeNull();
			expect(specs.keyFromUrl(reviewed, `${gerrit.gerritUrl}/${change.number}`)).toBe(`gerrit:${change.number}`);
		} finally {
			await gerrit.close();
		}
	});
});

describe('Specs repositories on internal addresses, not allowed', () => {
	afterAll(() => {
		allowPrivateAddresses(true);
		resolveHostsWith(null);
	});

	it('are refused before git runs: loopback over HTTP (no request reaches it), local paths, file://', async () => {
		const forge = await startFakeGitHttp({ username: 'caucus-bot', token: 'http-token' });
		allowPrivateAddresses(false);
		try {
			const http = { ...tracker, baseUrl: forge.url, credentials: { username: 'caucus-bot', token: 'http-token' } };
			for (const attempt of [specs.create(http, uniqueDraft()), specs.fetch(http, 'b:specs/x.rst')]) {
				const error = await rejection(attempt);
				expect(error).toMatchObject({ retryable: false });
				expect(error.message).toMatch(/address Caucus does not call/);
			}
			const named = { ...http, baseUrl: forge.url.replace('127.0.0.1', 'localhost') };
			expect((await rejection(specs.fetch(named, 'b:specs/x.rst'))).message).toMatch(/address Caucus does not call/);
			expect(forge.requests).toBe(0);
			for (const baseUrl of [tracker.baseUrl, `file://${tracker.baseUrl}`]) {
				expect((await rejection(specs.fetch({ ...tracker, baseUrl }, 'b:specs/x.rst'))).message).toMatch(/local repository/);
			}
		} finally {
			allowPrivateAddresses(true);
			await forge.close();
		}
	});

	it('pin an outside HTTP host to the addresses checked, with redirects off; ssh hosts are checked by name', async () => {
		allowPrivateAddresses(false);
		resolveHostsWith(async (host) => {
			if (host === 'opendev.example')
				return [
					{ address: '203.0.114.7', family: 4 },
					{ address: '2a00:1450::7', family: 6 }
				];
			if (host === 'inside.example') return [{ address: '10.0.0.7', family: 4 }];
			throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
		});
		expect(await gitRemoteGuard('https://opendev.example/openstack/nova-specs')).toEqual([
			['http.followRedirects', 'false'],
			['http.curloptResolve', 'opendev.example:443:203.0.114.7,[2a00:1450::7]']
		]);
		expect(await gitRemoteGuard('ssh://git@opendev.example:29418/openstack/nova-specs')).toEqual([]);
		expect(await gitRemoteGuard('git@opendev.example:openstack/nova-specs.git')).toEqual([]);
		for (const remote of [
			'https://inside.example/x.git',
			'ssh://inside.example/x.git',
			'git@inside.example:x.git',
			'http://169.254.169.254/x.git',
			'http://[::1]:8080/x.git'
		]) {
			expect((await rejection(gitRemoteGuard(remote))).message, remote).toMatch(/address Caucus does not call/);
		}
		expect(await rejection(gitRemoteGuard('https://nowhere.example/x.git'))).toMatchObject({ retryable: true });
	});
});

describe('Git failures', () => {
	it('never show what the remote said ("remote:" lines)', () => {
		const failure = classifyGitFailure(
			"remote: INTERNAL-ONLY db_password=hunter2\nfatal: unable to access 'https://example.org/x.git/': The requested URL returned error: 500"
		);
		expect(failure.message).not.toContain('hunter2');
		expect(failure.message).toContain('returned error: 500');
	});

	it('are final for refused credentials and worth retrying for network or server trouble', () => {
		expect(classifyGitFailure("fatal: Authentication failed for 'https://example.org/nova-specs.git/'").retryable).toBe(false);
		expect(classifyGitFailure("fatal: could not read Username for 'https://example.org': terminal prompts disabled").retryable).toBe(false);
		expect(classifyGitFailure("fatal: unable to access 'https://example.org/x.git/': The requested URL returned error: 403").retryable).toBe(false);
		expect(classifyGitFailure("fatal: unable to access 'https://example.org/x.git/': The requested URL returned error: 503").retryable).toBe(true);
		expect(classifyGitFailure("fatal: unable to access 'https://example.org/x.git/': Could not resolve host: example.org").retryable).toBe(true);
		expect(classifyGitFailure('fatal: the remote end hung up unexpectedly').retryable).toBe(true);
		expect(classifyGitFailure("fatal: 'x' does not appear to be a git repository").retryable).toBe(false);
	});
});

describe('Spec URLs', () => {
	it('name the branch and path from the configured web address', () => {
		expect(specs.keyFromUrl(tracker, 'https://opendev.org/openstack/nova-specs/src/branch/caucus/need-1-x/specs/2027.1/approved/x.rst')).toBe(
			'caucus/need-1-x:specs/2027.1/approved/x.rst'
		);
		expect(specs.keyFromUrl(tracker, 'https://opendev.org/openstack/nova-specs/src/branch/master/specs/2027.1/implemented/x.rst#L10')).toBe(
			'master:specs/2027.1/implemented/x.rst'
		);
	});

	it('reject other repositories, other files and trackers without a web address', () => {
		expect(specs.keyFromUrl(tracker, 'https://opendev.org/openstack/glance-specs/src/branch/master/specs/2027.1/approved/x.rst')).toBeNull();
		expect(specs.keyFromUrl(tracker, 'https://opendev.org/openstack/nova-specs/src/branch/master/README.rst')).toBeNull();
		expect(specs.keyFromUrl(tracker, 'https://opendev.org/openstack/nova-specs/src/branch/master/specs/x.txt')).toBeNull();
		expect(specs.keyFromUrl(tracker, 'https://opendev.org/openstack/nova-specs/src/branch/a..b/specs/2027.1/approved/x.rst')).toBeNull();
		expect(specs.keyFromUrl({ ...tracker, settings: {} }, 'https://opendev.org/openstack/nova-specs/src/branch/master/specs/2027.1/approved/x.rst')).toBeNull();
	});
});
