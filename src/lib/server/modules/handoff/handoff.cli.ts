import { runDueJobs } from '#lib/server/platform/jobs/index.ts';
import { invalid } from '#lib/server/platform/errors.ts';
import type { CliCommand } from '#lib/server/platform/module.ts';
import { queueTrackerSyncs } from './handoff.sync.ts';

/**
 * `caucus handoff sync`: queues a sync of one tracker (or every enabled one), then runs the due sync jobs
 * once through, as the server's worker would, and prints what changed. Without --all only handoffs not
 * synced in the last 10 minutes are read.
 */
export const handoffCommands: readonly CliCommand[] = [
	{
		path: ['handoff', 'sync'],
		groupDescription: 'Needs handed to developers’ trackers.',
		description: 'Read the upstream state of handed needs now (one tracker or all) and print what changed.',
		options: [
			{ flags: '--tracker <id>', description: 'only this tracker' },
			{ flags: '--all', description: 'every open handoff, not only those not synced in the last 10 minutes' }
		],
		async run(cli, _args, options) {
			const tracker = options.tracker === undefined ? undefined : String(options.tracker);
			const trackerId = tracker === undefined ? undefined : /^\d{1,15}$/.test(tracker) ? Number(tracker) : NaN;
			if (Number.isNaN(trackerId)) throw invalid({ tracker: 'Give the tracker’s number, as shown on /admin/trackers.' });
			await cli.withDatabase(async (database, ctx) => {
				const queued = await queueTrackerSyncs(ctx, { trackerId, all: options.all === true });
				if (!queued) {
					console.log('No enabled tracker to sync.');
					return;
				}
				const outcomes = await runDueJobs(database.db, { kinds: ['handoff.sync', 'handoff.orphan'] });
				const lines = outcomes.flatMap((o) => o.lines);
				for (const line of lines) console.log(line);
				const failed = outcomes.filter((o) => o.outcome !== 'done');
				for (const f of failed)
					console.error(`caucus: ${f.job.kind} ${JSON.stringify(f.job.payload)} ${f.outcome === 'retry' ? 'will be retried' : 'failed'}: ${f.error}`);
				const changed = lines.filter((l) => l.startsWith('need #')).length;
				console.log(`Synced ${queued} tracker${queued === 1 ? '' : 's'}: ${changed ? `${changed} change${changed === 1 ? '' : 's'}` : 'nothing changed'}.`);
				if (failed.length) process.exitCode = 1;
			});
		}
	}
];
