import { runDueJobs } from '#lib/server/platform/jobs/index.ts';
import { invalid } from '#lib/server/platform/errors.ts';
import { queueTrackerSyncs } from '#lib/server/modules/handoff/index.ts';
import { withDatabase } from './database.ts';

/**
 * `caucus handoff sync`: queues a sync of one tracker (or every enabled one), then runs the due sync jobs
 * once through, as the server's worker would, and prints what changed. Without --all only handoffs not
 * synced in the last 10 minutes are read.
 */
export async function handoffSync(options: { tracker?: string; all?: boolean }): Promise<void> {
	const trackerId = options.tracker === undefined ? undefined : /^\d{1,15}$/.test(options.tracker) ? Number(options.tracker) : NaN;
	if (Number.isNaN(trackerId)) throw invalid({ tracker: 'Give the tracker’s number, as shown on /admin/trackers.' });
	await withDatabase(async (database, ctx) => {
		const queued = await queueTrackerSyncs(ctx, { trackerId, all: options.all ?? false });
		if (!queued) {
			console.log('No enabled tracker to sync.');
			return;
		}
		const outcomes = await runDueJobs(database.db, { kinds: ['handoff.sync', 'handoff.orphan'] });
		const lines = outcomes.flatMap((o) => o.lines);
		for (const line of lines) console.log(line);
		const failed = outcomes.filter((o) => o.outcome !== 'done');
		for (const f of failed) console.error(`caucus: ${f.job.kind} ${JSON.stringify(f.job.payload)} ${f.outcome === 'retry' ? 'will be retried' : 'failed'}: ${f.error}`);
		const changed = lines.filter((l) => l.startsWith('need #')).length;
		console.log(`Synced ${queued} tracker${queued === 1 ? '' : 's'}: ${changed ? `${changed} change${changed === 1 ? '' : 's'}` : 'nothing changed'}.`);
		if (failed.length) process.exitCode = 1;
	});
}
