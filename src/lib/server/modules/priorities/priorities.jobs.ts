import type { JobKind } from '#lib/server/platform/module.ts';
import { closeDueRounds } from './priorities.commands.ts';

/** The priorities module's background jobs, listed in its manifest. */
export const prioritiesJobs: Record<string, JobKind> = {
	// A round with a closing date closes on its own; reads already show a due round as closed, this counts
	// it (and draws its seed) even if nobody publishes it.
	'priorities.close_due': {
		async handler(job) {
			const closed = await closeDueRounds({ db: job.db, actor: null, now: job.now });
			return closed ? [`closed ${closed} round${closed === 1 ? '' : 's'} at their closing time`] : [];
		},
		every: 60_000
	}
};
