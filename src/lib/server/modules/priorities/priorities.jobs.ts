import { registerJob } from '#lib/server/platform/jobs/index.ts';
import { closeDueRounds } from './priorities.commands.ts';

// A round with a closing date closes on its own; reads already treat a due round as closed, this makes
// the result exist (and the seed drawn) even if nobody opens the round page.
registerJob(
	'priorities.close_due',
	async (job) => {
		const closed = await closeDueRounds({ db: job.db, actor: null, now: job.now });
		return closed ? [`closed ${closed} round${closed === 1 ? '' : 's'} at their closing time`] : [];
	},
	{ every: 60_000 }
);
