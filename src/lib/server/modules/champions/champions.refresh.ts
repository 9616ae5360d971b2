import { recordActivity } from '#lib/server/platform/activity.ts';
import { inTransaction, type Ctx } from '#lib/server/platform/context.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import type { JobKind } from '#lib/server/platform/module.ts';
import type { ChangeState } from './champions.tables.ts';
import { changeLabel } from './champions.urls.ts';
import { failOnError, parseJson, trackerRequest } from '#lib/server/modules/handoff/index.ts';
import { groupIdOfNeed } from '#lib/server/modules/needs/index.ts';

/*
 * An optional refresher for linked GitHub pull requests: a recurring job reads each open one from the
 * GitHub REST API (GET /repos/{owner}/{repo}/pulls/{number}) and moves it to merged (merged_at set) or
 * abandoned (closed without merging). Gerrit and GitLab changes keep the state their champions set.
 *
 * Requests are anonymous (GitHub allows 60 an hour per address), so each run reads at most
 * REFRESH_BATCH pull requests, the least recently checked first, and stops at the first sign of a rate
 * limit or an outage; the job retries later with backoff.
 */

export const GITHUB_API = 'https://api.github.com';
export const REFRESH_BATCH = 50;
export const REFRESH_EVERY_MS = 60 * 60_000;

interface GitHubPull {
	state: 'open' | 'closed';
	merged_at: string | null;
}

/** What GitHub says about one pull request: its state, null when it no longer exists or is not visible. */
async function readPull(apiBase: string, project: string, number: number): Promise<ChangeState | null> {
	const [owner, repo] = project.split('/');
	const url = `${apiBase.replace(/\/$/, '')}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/pulls/${number}`;
	const response = await trackerRequest('GitHub', url, {
		headers: { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'Caucus' }
	});
	if (response.status === 404 || response.status === 410) return null;
	// A rate limit or an outage throws: the job stops here and retries later with backoff.
	failOnError('GitHub', response, null, `read pull request #${number} of ${project}`);
	const pull = parseJson<GitHubPull>('GitHub', response);
	return pull.merged_at ? 'merged' : pull.state === 'closed' ? 'abandoned' : 'open';
}

/**
 * Reads up to `batch` open GitHub pull requests linked to needs and records any change of state, with an
 * activity entry (`need.change_state_changed`, via github) in the need's group. Returns a line per change.
 */
export async function refreshGithubChanges(ctx: { db: Executor; now: () => Date }, options: { apiBase?: string; batch?: number } = {}): Promise<string[]> {
	const apiBase = options.apiBase ?? GITHUB_API;
	const rows = await ctx.db
		.selectFrom('upstream_change')
		.select([
			'upstream_change.id',
			'upstream_change.need_id',
			'upstream_change.project',
			'upstream_change.number',
			'upstream_change.state',
			'upstream_change.url'
		])
		.where('upstream_change.forge', '=', 'github')
		.where('upstream_change.state', '=', 'open')
		.orderBy('upstream_change.checked_at', (o) => o.nullsFirst())
		.orderBy('upstream_change.id')
		.limit(options.batch ?? REFRESH_BATCH)
		.execute();
	const lines: string[] = [];
	for (const row of rows) {
		const state = await readPull(apiBase, row.project, Number(row.number));
		const changed = state !== null && state !== row.state;
		await inTransaction({ db: ctx.db, actor: null, now: ctx.now } satisfies Ctx, async (tx) => {
			const now = tx.now();
			// Only a change still open is moved: a champion may have set it by hand meanwhile.
			const updated = await tx.db
				.updateTable('upstream_change')
				.set(changed ? { state: state!, state_changed_at: now, state_changed_by: null, checked_at: now } : { checked_at: now })
				.where('id', '=', row.id)
				.where('state', '=', 'open')
				.returning('id')
				.executeTakeFirst();
			if (!changed || !updated) return;
			await recordActivity(tx, {
				action: 'need.change_state_changed',
				subjectType: 'need',
				subjectId: Number(row.need_id),
				groupId: await groupIdOfNeed(tx.db, Number(row.need_id)),
				data: { changeId: Number(row.id), url: row.url, from: row.state, to: state, via: 'github' }
			});
			lines.push(`Need #${row.need_id}: ${changeLabel({ forge: 'github', number: Number(row.number) })} (${row.project}) is ${state} on GitHub.`);
		});
	}
	return lines;
}

// `apiBase` in the payload lets a test point a run at a local server; the recurring run reads GitHub.
/** The champions module's background jobs, listed in its manifest. */
export const championsJobs: Record<string, JobKind> = {
	'champions.refresh_github': {
		handler: (job, payload) => refreshGithubChanges(job, { apiBase: typeof payload.apiBase === 'string' ? payload.apiBase : undefined }),
		every: REFRESH_EVERY_MS
	}
};
