import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, posix } from 'node:path';
import type { HandoffKind, HandoffStatus } from '../handoff.tables.ts';
import { convertMarkdown, rstHeading } from './markup.ts';
import { backLink, deploymentTable, impactList, prioritySentence, segmentTable, slugify, supportSentence, surveyTable } from './evidence.ts';
import { TrackerError, type HandoffDraft, type NeedEvidence, type TrackerConnection, type TrackerProviderImpl, type UpstreamItem } from './provider.ts';
import { failOnError, settingString, trackerRequest } from './tracker-http.ts';
import { checkedAddresses, OutgoingAddressError, privateAddressesAllowed } from '#lib/server/platform/http/outgoing.ts';
import { log } from '#lib/server/platform/log.ts';

/*
 * A specs repository in git, in the manner of openstack/nova-specs: a spec is a reStructuredText file following the
 * sections of the OpenStack specs template, proposed on a branch; review merges it into the base branch under
 * specs/<cycle>/approved/, and once implemented it moves to specs/<cycle>/implemented/.
 *
 * The tracker's base URL is the git URL (https://…, ssh://…, file://… or a local path). Everything goes through the
 * git command line with argument arrays (never a shell), in a temporary directory removed afterwards:
 *   create: clone the base branch, add the file on a new branch, commit, push the branch. Key: "<branch>:<path>".
 *   fetch:  fetch the base branch (and the proposal branch if it still exists) into a bare repository and look:
 *           the file under …/implemented/ on the base branch → delivered in that cycle; under …/approved/ → in
 *           progress (accepted upstream); only on the proposal branch → handed upstream; neither → declined.
 * A file is recognised by its name wherever review moved it (another cycle, the backlog). No webhooks: polled.
 * Repositories reviewed in Gerrit take a change on refs/for/<base> instead of a branch: see "gerrit" below.
 */

const LABEL = 'The specs repository';
const GIT_TIMEOUT_MS = 120_000;
const SAFE_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*\.rst$/;

interface Git {
	run(args: string[], cwd?: string): Promise<string>;
}

/**
 * How a failed git command reads: refusals are final, network trouble and server errors are worth retrying. Lines
 * the remote sent ("remote: …") are left out of the message: what a server answers is never shown (it is logged).
 */
export function classifyGitFailure(stderr: string): { message: string; retryable: boolean } {
	const text = stderr
		.split('\n')
		.filter((line) => !/^\s*remote:/i.test(line))
		.join('\n')
		.trim();
	const last = text.split('\n').filter(Boolean).slice(-3).join(' ').slice(0, 400);
	if (
		/Authentication failed|could not read (Username|Password)|terminal prompts disabled|returned error: 40[13]|Permission denied|access denied|HTTP Basic: Access denied/i.test(
			text
		)
	) {
		return { message: `${LABEL} refused the credentials: ${last} Check the tracker's credentials.`, retryable: false };
	}
	if (
		/Could not resolve host|Connection refused|Connection timed out|timed out|Connection reset|early EOF|remote end hung up|returned error: 5\d\d|returned error: 429|Failed to connect|Operation too slow/i.test(
			text
		)
	) {
		return { message: `${LABEL} could not be reached right now: ${last}`, retryable: true };
	}
	if (/does not appear to be a git repository|Repository not found|not found|couldn't find remote ref|Remote branch .* not found/i.test(text)) {
		return { message: `${LABEL} has no such repository or branch: ${last}`, retryable: false };
	}
	return { message: `${LABEL} refused: ${last}`, retryable: false };
}

/** git commands that reach the remote; the others only read or write the temporary directory. */
const NETWORK_COMMANDS = new Set(['clone', 'fetch', 'ls-remote', 'push']);

/**
 * The git configuration that keeps a remote off internal addresses (platform/http/outgoing.ts): an http(s) remote's
 * host is resolved and checked, and libcurl is pinned to the checked addresses (http.curloptResolve) with redirects
 * off; ssh and git remotes are checked by name (ssh resolves again itself); local paths and file:// are refused.
 * Nothing when CAUCUS_ALLOW_PRIVATE_TRACKERS=1.
 */
export async function gitRemoteGuard(remote: string): Promise<[string, string][]> {
	if (privateAddressesAllowed()) return [];
	let host: string;
	let port = '';
	let pin = false;
	const scpLike = /^(?:[^@/\s]+@)?(\[[^\]]+\]|[^:/\s]+):(?!\/\/)/.exec(remote);
	if (/^(https?|ssh|git|git\+ssh|ssh\+git):\/\//i.test(remote)) {
		const url = new URL(remote);
		host = url.hostname.replace(/^\[|\]$/g, '');
		pin = url.protocol === 'http:' || url.protocol === 'https:';
		port = url.port || (url.protocol === 'https:' ? '443' : '80');
	} else if (scpLike && !remote.includes('::')) {
		host = scpLike[1].replace(/^\[|\]$/g, '');
	} else {
		throw new TrackerError(`${LABEL} is a local repository, which Caucus does not use unless CAUCUS_ALLOW_PRIVATE_TRACKERS=1.`);
	}
	let addresses;
	try {
		addresses = await checkedAddresses(host);
	} catch (error) {
		if (error instanceof OutgoingAddressError) {
			log.warn({ err: error, tracker: LABEL }, 'git remote on an internal address refused');
			throw new TrackerError(
				`${LABEL} is on an address Caucus does not call (loopback, private, link-local or metadata); an administrator can allow it with CAUCUS_ALLOW_PRIVATE_TRACKERS=1.`
			);
		}
		throw new TrackerError(`${LABEL} could not be reached right now: ${host} does not resolve.`, { retryable: true, cause: error });
	}
	if (!pin) return [];
	const list = addresses.map((a) => (a.family === 6 ? `[${a.address}]` : a.address)).join(',');
	return [
		['http.followRedirects', 'false'],
		['http.curloptResolve', `${host}:${port}:${list}`]
	];
}

function git(tracker: TrackerConnection): Git {
	// Config through the environment rather than arguments, so a token never shows in the process list.
	const config: [string, string][] = [
		['commit.gpgsign', 'false'],
		['core.hooksPath', '/dev/null'],
		['init.defaultBranch', 'master']
	];
	const token = tracker.credentials?.token;
	if (token && /^https?:/i.test(tracker.baseUrl)) {
		const user = tracker.credentials?.username || 'x-access-token';
		config.push(['http.extraHeader', `Authorization: Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`]);
	}
	const env: NodeJS.ProcessEnv = {
		...process.env,
		GIT_TERMINAL_PROMPT: '0',
		// No program may be asked for a password: a missing or wrong credential fails at once.
		GIT_ASKPASS: '',
		SSH_ASKPASS: '',
		// "ext::" and other transports that run commands are never allowed, whatever the URL says.
		GIT_ALLOW_PROTOCOL: 'file:git:http:https:ssh',
		GIT_CONFIG_NOSYSTEM: '1',
		GIT_CONFIG_COUNT: String(config.length),
		LC_ALL: 'C'
	};
	const withConfig = (entries: [string, string][]) => {
		const out: NodeJS.ProcessEnv = { ...env, GIT_CONFIG_COUNT: String(entries.length) };
		entries.forEach(([key, value], i) => {
			out[`GIT_CONFIG_KEY_${i}`] = key;
			out[`GIT_CONFIG_VALUE_${i}`] = value;
		});
		return out;
	};
	// Checked once per operation, before the first command that reaches the remote.
	let guard: Promise<NodeJS.ProcessEnv> | null = null;
	return {
		async run(args, cwd) {
			const runEnv = NETWORK_COMMANDS.has(args[0])
				? await (guard ??= gitRemoteGuard(tracker.baseUrl).then((extra) => withConfig([...config, ...extra])))
				: withConfig(config);
			return new Promise((resolve, reject) => {
				execFile('git', args, { cwd, env: runEnv, timeout: GIT_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
					if (!error) return resolve(stdout);
					if ((error as { killed?: boolean }).killed) {
						return reject(new TrackerError(`${LABEL} took too long to answer (git ${args[0]}).`, { retryable: true, cause: error }));
					}
					const { message, retryable } = classifyGitFailure(String(stderr || error.message));
					log.warn({ command: `git ${args[0]}`, stderr: String(stderr).slice(0, 4000) }, 'git command failed');
					reject(new TrackerError(message, { retryable, cause: error }));
				});
			});
		}
	};
}

async function withTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
	const dir = await mkdtemp(join(tmpdir(), 'caucus-specs-'));
	try {
		return await work(dir);
	} finally {
		await rm(dir, { recursive: true, force: true });
	}
}

async function checkRefName(runner: Git, name: string, what: string): Promise<void> {
	if (name.startsWith('-')) throw new TrackerError(`"${name}" cannot name a ${what}.`);
	await runner.run(['check-ref-format', '--branch', name]).catch(() => {
		throw new TrackerError(`"${name}" cannot name a ${what}.`);
	});
}

function settings(tracker: TrackerConnection) {
	return {
		directory: settingString(tracker.settings, 'directory', 'specs/{cycle}/approved/'),
		cycle: settingString(tracker.settings, 'cycle', 'backlog'),
		baseBranch: settingString(tracker.settings, 'baseBranch', 'master'),
		authorName: settingString(tracker.settings, 'authorName', 'Caucus'),
		authorEmail: settingString(tracker.settings, 'authorEmail', 'caucus@localhost'),
		webUrl: settingString(tracker.settings, 'webUrl', ''),
		gerrit: settingString(tracker.settings, 'review', 'branch').toLowerCase() === 'gerrit',
		gerritUrl: settingString(tracker.settings, 'gerritUrl', '').replace(/\/+$/, ''),
		gerritProject: settingString(tracker.settings, 'gerritProject', tracker.project)
	};
}

function fileUrl(tracker: TrackerConnection, branch: string, path: string): string {
	const pattern = settings(tracker).webUrl;
	if (!pattern) return path;
	return pattern
		.replace(/\{branch\}/g, branch.split('/').map(encodeURIComponent).join('/'))
		.replace(/\{path\}/g, path.split('/').map(encodeURIComponent).join('/'));
}

export function parseSpecKey(key: string): { branch: string; path: string } | null {
	const at = key.indexOf(':');
	if (at <= 0) return null;
	const branch = key.slice(0, at);
	const path = key.slice(at + 1);
	if (!SAFE_PATH.test(path) || path.split('/').includes('..')) return null;
	return { branch, path };
}

/** The title of a reStructuredText document: the first line underlined (and perhaps overlined) with "=". */
export function rstTitle(text: string): string | null {
	const lines = text.split('\n');
	for (let i = 0; i + 1 < lines.length; i++) {
		const line = lines[i].trim();
		if (line && !/^[=\-~^"'`#*+<>:._]+$/.test(line) && !line.startsWith('..') && /^=+$/.test(lines[i + 1].trim())) return line;
	}
	return null;
}

/** The cycle a spec path names: "2027.1" for specs/2027.1/implemented/foo.rst. */
function cycleOf(path: string): string | null {
	const parts = path.split('/');
	const at = parts.findIndex((part) => part === 'implemented' || part === 'approved');
	return at > 0 ? parts[at - 1] : null;
}

// ----------------------------------------------------------------------------------------------------- gerrit

/*
 * Repositories reviewed in Gerrit (OpenStack's specs repositories on review.opendev.org) take no pushed branches:
 * a change is proposed by pushing to refs/for/<base branch> with a Change-Id footer, and its state is read from
 * Gerrit's REST API (https://gerrit-review.googlesource.com/Documentation/rest-api-changes.html):
 *   GET /changes/?q=change:<Change-Id or number> project:<project>&o=CURRENT_REVISION&o=CURRENT_FILES
 * Answers start with the ")]}'" line Gerrit adds against cross-site script inclusion. NEW is handed upstream,
 * ABANDONED declined, MERGED is read in the repository like a merged branch (approved/ or implemented/).
 * With credentials the authenticated /a/ prefix is used (Basic, the account's HTTP password); without, anonymous.
 */

const GERRIT = 'Gerrit';

interface GerritChange {
	_number: number;
	project: string;
	branch: string;
	change_id: string;
	subject: string;
	status: 'NEW' | 'MERGED' | 'ABANDONED' | string;
	updated: string;
	current_revision?: string;
	revisions?: Record<string, { files?: Record<string, unknown> }>;
}

function basicAuth(tracker: TrackerConnection): string | null {
	const token = tracker.credentials?.token;
	if (!token) return null;
	return `Basic ${Buffer.from(`${tracker.credentials?.username || 'x-access-token'}:${token}`).toString('base64')}`;
}

async function gerritChange(tracker: TrackerConnection, id: string): Promise<GerritChange> {
	const config = settings(tracker);
	if (!config.gerritUrl) throw new TrackerError("Set the Gerrit address (gerritUrl) in the tracker's settings to follow reviews.");
	const auth = basicAuth(tracker);
	const query = `change:${id} project:${config.gerritProject}`;
	const url = `${config.gerritUrl}${auth ? '/a' : ''}/changes/?q=${encodeURIComponent(query)}&o=CURRENT_REVISION&o=CURRENT_FILES`;
	const response = await trackerRequest(GERRIT, url, { headers: { accept: 'application/json', ...(auth ? { authorization: auth } : {}) } });
	failOnError(GERRIT, response, response.text.trim().startsWith(')]}') ? null : response.text.trim().slice(0, 200) || null, `read change ${id}`);
	let changes: GerritChange[];
	try {
		changes = JSON.parse(response.text.replace(/^\)\]\}'\s*/, '')) as GerritChange[];
	} catch (error) {
		throw new TrackerError(`${GERRIT} answered with something other than JSON.`, { retryable: true, cause: error });
	}
	const change = changes.find((c) => c.project === config.gerritProject) ?? changes[0];
	if (!change) throw new TrackerError(`${GERRIT} has no change ${id} in ${config.gerritProject}.`, { status: 404 });
	return change;
}

/** Gerrit's timestamps: "2026-11-26 01:02:03.000000000", in UTC. */
function gerritDate(value: string | undefined): Date {
	const date = value ? new Date(`${value.replace(' ', 'T').replace(/(\.\d{3})\d*$/, '$1')}Z`) : new Date(NaN);
	return Number.isNaN(date.getTime()) ? new Date() : date;
}

/** Where a spec file of this name sits on the base branch, if review merged it. */
async function onBaseBranch(
	tracker: TrackerConnection,
	name: string
): Promise<{ file: string; state: 'implemented' | 'approved'; title: string | null; updatedAt: Date | null } | null> {
	const config = settings(tracker);
	const runner = git(tracker);
	return withTempDir(async (dir) => {
		await runner.run(['init', '--quiet', '--bare', dir]);
		await runner.run(['fetch', '--quiet', '--no-tags', '--', tracker.baseUrl, `+refs/heads/${config.baseBranch}:refs/remotes/base`], dir);
		const files = (await runner.run(['ls-tree', '-r', '--name-only', 'refs/remotes/base'], dir)).split('\n').filter(Boolean);
		const implemented = files.find((f) => f.endsWith(`/implemented/${name}`));
		const approved = files.find((f) => f.endsWith(`/approved/${name}`));
		const file = implemented ?? approved;
		if (!file) return null;
		const title = rstTitle(await runner.run(['show', `refs/remotes/base:${file}`], dir));
		const when = (await runner.run(['log', '-1', '--format=%cI', 'refs/remotes/base', '--', file], dir)).trim();
		return { file, state: implemented ? 'implemented' : 'approved', title, updatedAt: when ? new Date(when) : null };
	});
}

async function fetchGerrit(tracker: TrackerConnection, key: string, id: string): Promise<UpstreamItem> {
	const config = settings(tracker);
	const change = await gerritChange(tracker, id);
	const url = `${config.gerritUrl}/c/${config.gerritProject}/+/${change._number}`;
	const files = Object.keys(change.revisions?.[change.current_revision ?? '']?.files ?? {});
	const prefix = config.directory.split('{')[0].replace(/^\/+/, '');
	const spec = files.find((f) => SAFE_PATH.test(f) && f.startsWith(prefix)) ?? files.find((f) => SAFE_PATH.test(f));
	const base = { key, url, title: change.subject, deliveredIn: null, updatedAt: gerritDate(change.updated) };
	if (change.status === 'ABANDONED') return { ...base, state: 'abandoned', status: 'declined_upstream' };
	if (change.status !== 'MERGED') return { ...base, state: 'in review', status: 'handed_upstream' };
	const merged = spec ? await onBaseBranch(tracker, posix.basename(spec)) : null;
	if (!merged) return { ...base, state: 'merged', status: 'in_progress' };
	return {
		...base,
		url: config.webUrl ? fileUrl(tracker, config.baseBranch, merged.file) : url,
		title: merged.title ?? change.subject,
		state: merged.state,
		status: merged.state === 'implemented' ? 'delivered' : 'in_progress',
		deliveredIn: cycleOf(merged.file),
		updatedAt: merged.updatedAt ?? base.updatedAt
	};
}

// ------------------------------------------------------------------------------------------------------ draft

const GUIDANCE: Record<string, string> = {
	intro: 'Introduce the change in one paragraph an operator can follow: what it is and why it matters.',
	proposed: 'Describe the change in detail: how the problem above is solved, and where this piece of work ends if it is part of a larger effort.',
	alternatives: 'What other ways could this be done, and why is this one preferred? Show that the options were weighed.',
	dataModel: 'New or changed database tables, objects and migrations, and how existing data is carried over, if any.',
	restApi: 'For each API method added or changed: the method, URL, parameters, request and response bodies, status codes, policy and microversion.',
	security: 'Does this touch credentials, tokens, access control, sensitive data, or run code on behalf of users? Say how the risks are handled.',
	notifications: 'New, changed or removed notifications, if any.',
	endUser: 'Other ways users meet this change: client tools, dashboards, documentation they read.',
	performance: 'How often the new code runs, database queries it adds, locks it takes, and any effect on scale.',
	deployer:
		'New configuration options and their defaults, whether the change applies at once or must be enabled, and what people deploying or upgrading must know.',
	developer: 'Effects on other developers: driver interfaces, libraries, conventions they must follow.',
	upgrade: 'What happens during a rolling upgrade: service version checks, online data migrations, compatibility with older services.',
	assignee: 'Who leads the writing of the code? Name the primary contact if several people work on it.',
	workItems: 'Break the change into tasks that can be done and reviewed separately.',
	dependencies: 'Specs, blueprints, library versions or services in other projects this work depends on.',
	testing: 'The scenarios to test (unit, functional, tempest or other integration jobs) and the edge cases that must work.',
	documentation: 'Which guides change, and for whom: operators, users, contributors.'
};

function section(title: string, char: '=' | '-', ...blocks: (string | null)[]): string {
	return [rstHeading(title, char), ...blocks.filter((b): b is string => b !== null && b !== '')].join('\n\n');
}

function rst(markdown: string | null): string | null {
	return markdown === null ? null : convertMarkdown(markdown, 'rst');
}

function specBody(tracker: TrackerConnection, evidence: NeedEvidence, cycle: string): string {
	const need = evidence.need;
	const title = rstHeading(need.title.replace(/[\r\n]+/g, ' '), '=', true);
	const license = [
		'..',
		' This work is licensed under a Creative Commons Attribution 3.0 Unported',
		' License.',
		'',
		' http://creativecommons.org/licenses/by/3.0/legalcode'
	].join('\n');
	const problem = convertMarkdown(need.body, 'rst') || GUIDANCE.intro;
	const useCases = impactList(evidence);
	const releases = need.releases.length ? `Supporters run ${need.releases.join(', ')}.` : null;
	const references = [
		`* ${rst(backLink(evidence))}`,
		evidence.priority ? `* ${rst(prioritySentence(evidence))}` : null,
		...evidence.sessions.map((s) => `* ${rst(`Discussed at [${s.title.replace(/[[\]]/g, '')}](<${s.url}>)`)}`)
	].filter(Boolean);
	const blocks = [
		license,
		title,
		rst(`Operators raised this need on Caucus. ${supportSentence(evidence)}`),
		section('Problem description', '=', problem, segmentTable(evidence) ? `Who raised it, by segment:\n\n${rst(segmentTable(evidence))}` : null),
		section(
			'Use Cases',
			'-',
			useCases
				? `Supporters described the impact on their deployments:\n\n${rst(useCases)}`
				: 'As an operator, I want … so that … (name the actor in each use case: operator, end user, developer).',
			rst(surveyTable(evidence))
		),
		section('Proposed change', '=', GUIDANCE.proposed),
		section('Alternatives', '-', GUIDANCE.alternatives),
		section('Data model impact', '-', GUIDANCE.dataModel),
		section('REST API impact', '-', GUIDANCE.restApi),
		section('Security impact', '-', GUIDANCE.security),
		section('Notifications impact', '-', GUIDANCE.notifications),
		section('Other end user impact', '-', GUIDANCE.endUser),
		section('Performance Impact', '-', GUIDANCE.performance),
		section(
			'Other deployer impact',
			'-',
			evidence.deployments.length ? `The deployments that reported this need:\n\n${rst(deploymentTable(evidence))}` : null,
			GUIDANCE.deployer
		),
		section('Developer impact', '-', GUIDANCE.developer),
		section('Upgrade impact', '-', releases, GUIDANCE.upgrade),
		section('Implementation', '=', ''),
		section('Assignee(s)', '-', GUIDANCE.assignee, 'Primary assignee:\n  <launchpad-id or None>', 'Other contributors:\n  <launchpad-id or None>'),
		section('Work Items', '-', GUIDANCE.workItems),
		section('Dependencies', '=', GUIDANCE.dependencies),
		section('Testing', '=', GUIDANCE.testing),
		section('Documentation Impact', '=', GUIDANCE.documentation),
		section('References', '=', references.join('\n')),
		section(
			'History',
			'=',
			['.. list-table:: Revisions', '   :header-rows: 1', '', '   * - Release Name', '     - Description', `   * - ${cycle}`, '     - Introduced'].join('\n')
		)
	];
	return `${blocks.filter(Boolean).join('\n\n')}\n`;
}

// ---------------------------------------------------------------------------------------------------- provider

export const specs: TrackerProviderImpl = {
	provider: 'specs',
	label: 'Specs repository (git)',
	kinds: ['spec'],
	credentialFields: [
		{ name: 'username', label: 'Username for HTTPS pushes (optional)' },
		{ name: 'token', label: 'Access token or HTTP password for HTTPS pushes (optional; SSH uses the server’s keys)' }
	],
	settingFields: [
		{ name: 'directory', label: 'Directory for new specs', placeholder: 'specs/{cycle}/approved/' },
		{ name: 'cycle', label: 'Cycle new specs target', placeholder: '2027.1' },
		{ name: 'baseBranch', label: 'Base branch', placeholder: 'master' },
		{ name: 'authorName', label: 'Commit author name', placeholder: 'Caucus' },
		{ name: 'authorEmail', label: 'Commit author e-mail', placeholder: 'caucus@example.org' },
		{
			name: 'webUrl',
			label: 'Web address of a file, with {branch} and {path}',
			placeholder: 'https://opendev.org/openstack/nova-specs/src/branch/{branch}/{path}'
		},
		{ name: 'review', label: 'How specs are proposed: "branch" (push a branch) or "gerrit" (push a change for review)', placeholder: 'branch' },
		{ name: 'gerritUrl', label: 'Gerrit address, for "gerrit"', placeholder: 'https://review.opendev.org' },
		{ name: 'gerritProject', label: "Gerrit project, when not the tracker's project", placeholder: 'openstack/nova-specs' }
	],

	draft(tracker: TrackerConnection, evidence: NeedEvidence, kind: HandoffKind): HandoffDraft {
		const { directory, cycle } = settings(tracker);
		const slug = slugify(evidence.need.title, 50);
		const dir = directory.replace(/\{cycle\}/g, cycle).replace(/^\/+|\/+$/g, '');
		return {
			kind,
			title: evidence.need.title,
			body: specBody(tracker, evidence, cycle),
			fields: { path: `${dir}/${slug}.rst`, branch: `caucus/need-${evidence.need.id}-${slug}`, needUrl: evidence.need.url }
		};
	},

	async create(tracker: TrackerConnection, draft: HandoffDraft): Promise<UpstreamItem> {
		if (draft.kind !== 'spec') throw new TrackerError(`A specs repository takes specs, not a ${draft.kind}.`);
		const config = settings(tracker);
		const path = draft.fields.path ?? '';
		const branch = draft.fields.branch ?? '';
		if (!SAFE_PATH.test(path) || path.split('/').includes('..')) {
			throw new TrackerError(`"${path}" cannot be a spec's path: use a relative path of letters, digits, dots and dashes ending in .rst.`);
		}
		const runner = git(tracker);
		await checkRefName(runner, branch, 'branch');
		await checkRefName(runner, config.baseBranch, 'base branch');
		const title = draft.title.replace(/\s+/g, ' ').trim();
		if (!title) throw new TrackerError('A spec needs a title.');

		// In Gerrit the branch name becomes the change's topic; a Change-Id names the change before Gerrit numbers it.
		const changeId = config.gerrit ? `I${randomBytes(20).toString('hex')}` : null;
		if (config.gerrit && !/^[A-Za-z0-9._/-]+$/.test(branch)) throw new TrackerError(`"${branch}" cannot be a Gerrit topic.`);

		await withTempDir(async (dir) => {
			if (!config.gerrit) {
				const existing = await runner.run(['ls-remote', '--heads', '--', tracker.baseUrl, `refs/heads/${branch}`]);
				if (existing.trim()) throw new TrackerError(`${LABEL} already has a branch named ${branch}: choose another branch name.`);
			}
			const repo = join(dir, 'repo');
			await runner.run(['clone', '--quiet', '--no-tags', '--single-branch', '--branch', config.baseBranch, '--', tracker.baseUrl, repo]);
			if (existsSync(join(repo, path))) throw new TrackerError(`${LABEL} already has a file at ${path}: choose another path.`);
			await runner.run(['checkout', '--quiet', '-b', branch], repo);
			await mkdir(dirname(join(repo, path)), { recursive: true });
			await writeFile(join(repo, path), draft.body.endsWith('\n') ? draft.body : `${draft.body}\n`);
			await runner.run(['add', '--', path], repo);
			const message = `${title}\n\nProposed from Caucus${draft.fields.needUrl ? `: ${draft.fields.needUrl}` : '.'}\n${changeId ? `\nChange-Id: ${changeId}\n` : ''}`;
			await runner.run(
				['-c', `user.name=${config.authorName}`, '-c', `user.email=${config.authorEmail}`, 'commit', '--quiet', '--no-verify', '-m', message],
				repo
			);
			const target = config.gerrit ? `HEAD:refs/for/${config.baseBranch}%topic=${branch}` : `refs/heads/${branch}:refs/heads/${branch}`;
			await runner.run(['push', '--quiet', 'origin', target], repo);
		});

		if (changeId) {
			const key = `gerrit:${changeId}`;
			try {
				return await specs.fetch(tracker, key);
			} catch {
				return {
					key,
					url: `${config.gerritUrl}/q/${changeId}`,
					title,
					state: 'in review',
					status: 'handed_upstream',
					deliveredIn: null,
					updatedAt: new Date()
				};
			}
		}
		const key = `${branch}:${path}`;
		try {
			return await specs.fetch(tracker, key);
		} catch {
			// The branch is pushed: failing now would make the caller propose it twice.
			return { key, url: fileUrl(tracker, branch, path), title, state: 'proposed', status: 'handed_upstream', deliveredIn: null, updatedAt: new Date() };
		}
	},

	keyFromUrl(tracker: TrackerConnection, url: string): string | null {
		const config = settings(tracker);
		if (config.gerrit && config.gerritUrl && url.startsWith(`${config.gerritUrl}/`)) {
			// https://review.opendev.org/c/openstack/nova-specs/+/123456 (and /123456/2, or the short /123456).
			const rest = url.slice(config.gerritUrl.length).replace(/[?#].*$/, '');
			const change =
				new RegExp(`^/c/${config.gerritProject.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/\\+/([1-9]\\d*)(?:/\\d+)?/?$`).exec(rest) ??
				/^\/([1-9]\d*)\/?$/.exec(rest);
			return change ? `gerrit:${change[1]}` : null;
		}
		const pattern = settings(tracker).webUrl;
		if (!pattern || !pattern.includes('{branch}') || !pattern.includes('{path}')) return null;
		const prefix = settings(tracker).directory.split('{')[0].replace(/^\/+/, '');
		const regex = new RegExp(
			`^${pattern
				.split(/(\{branch\}|\{path\})/)
				.map((part) =>
					part === '{branch}'
						? '(?<branch>.+?)'
						: part === '{path}'
							? `(?<path>${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[^?#]*\\.rst)`
							: part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
				)
				.join('')}(?:[?#].*)?$`
		);
		const match = regex.exec(url);
		if (!match?.groups) return null;
		let branch: string;
		let path: string;
		try {
			branch = decodeURIComponent(match.groups.branch);
			path = decodeURIComponent(match.groups.path);
		} catch {
			return null;
		}
		if (branch.startsWith('-') || /[\s:~^?*[\\]|\.\.|@\{/.test(branch)) return null;
		return parseSpecKey(`${branch}:${path}`) ? `${branch}:${path}` : null;
	},

	async fetch(tracker: TrackerConnection, key: string): Promise<UpstreamItem> {
		const gerrit = /^gerrit:(I[0-9a-f]{40}|[1-9]\d*)$/.exec(key);
		if (gerrit) return fetchGerrit(tracker, key, gerrit[1]);
		const parsed = parseSpecKey(key);
		if (!parsed) throw new TrackerError(`"${key}" does not name a spec (branch:path).`);
		const { branch, path } = parsed;
		const config = settings(tracker);
		const runner = git(tracker);
		await checkRefName(runner, branch, 'branch');
		await checkRefName(runner, config.baseBranch, 'base branch');
		const name = posix.basename(path);

		return withTempDir(async (dir) => {
			await runner.run(['init', '--quiet', '--bare', dir]);
			const heads = await runner.run(['ls-remote', '--heads', '--', tracker.baseUrl, `refs/heads/${config.baseBranch}`, `refs/heads/${branch}`], dir);
			const refs = new Set(
				heads
					.split('\n')
					.map((line) => line.split('\t')[1])
					.filter(Boolean)
			);
			if (!refs.has(`refs/heads/${config.baseBranch}`)) throw new TrackerError(`${LABEL} has no branch ${config.baseBranch}.`);
			const hasProposal = branch !== config.baseBranch && refs.has(`refs/heads/${branch}`);
			const refspecs = [`+refs/heads/${config.baseBranch}:refs/remotes/base`];
			if (hasProposal) refspecs.push(`+refs/heads/${branch}:refs/remotes/proposal`);
			await runner.run(['fetch', '--quiet', '--no-tags', '--', tracker.baseUrl, ...refspecs], dir);

			const files = (await runner.run(['ls-tree', '-r', '--name-only', 'refs/remotes/base'], dir)).split('\n').filter(Boolean);
			const implemented = files.find((f) => f.endsWith(`/implemented/${name}`));
			const approved = files.find((f) => f === path || f.endsWith(`/approved/${name}`));
			let ref: string | null = null;
			let file: string | null = null;
			let state: string;
			let status: HandoffStatus;
			if (implemented) [ref, file, state, status] = ['refs/remotes/base', implemented, 'implemented', 'delivered'];
			else if (approved) [ref, file, state, status] = ['refs/remotes/base', approved, 'approved', 'in_progress'];
			else if (hasProposal) {
				const onBranch = (await runner.run(['ls-tree', '--name-only', 'refs/remotes/proposal', '--', path], dir)).trim();
				[ref, file, state, status] = [onBranch ? 'refs/remotes/proposal' : null, onBranch ? path : null, 'proposed', 'handed_upstream'];
			} else [state, status] = ['abandoned', 'declined_upstream'];

			let title = name.replace(/\.rst$/, '');
			let updatedAt = new Date();
			if (ref && file) {
				title = rstTitle(await runner.run(['show', `${ref}:${file}`], dir)) ?? title;
				const when = (await runner.run(['log', '-1', '--format=%cI', ref, '--', file], dir)).trim();
				if (when) updatedAt = new Date(when);
			} else if (hasProposal) {
				updatedAt = new Date((await runner.run(['log', '-1', '--format=%cI', 'refs/remotes/proposal'], dir)).trim());
			}
			const onBase = ref === 'refs/remotes/base';
			return {
				key,
				url: file ? fileUrl(tracker, onBase ? config.baseBranch : branch, file) : fileUrl(tracker, branch, path),
				title,
				state,
				status,
				deliveredIn: file && onBase ? cycleOf(file) : null,
				updatedAt
			};
		});
	}
};
