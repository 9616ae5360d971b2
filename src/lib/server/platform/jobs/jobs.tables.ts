import type { Generated, Selectable } from 'kysely';

export const JOB_STATES = ['queued', 'running', 'done', 'failed'] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * One piece of background work. Any instance may run it: a worker claims due rows with
 * FOR UPDATE SKIP LOCKED and holds a lease (`locked_until`); a job whose worker died is claimed again
 * once its lease has run out.
 */
export interface JobTable {
	id: Generated<number>;
	kind: string;
	payload: Generated<Record<string, unknown>>;
	/** While queued, no second job with the same key is queued (a sync asked for twice runs once). */
	dedupe_key: string | null;
	state: Generated<JobState>;
	run_at: Date;
	attempts: Generated<number>;
	max_attempts: Generated<number>;
	locked_by: string | null;
	locked_until: Date | null;
	last_error: string | null;
	created_at: Date;
	finished_at: Date | null;
}
export type JobRow = Selectable<JobTable>;

export interface JobsTables {
	job: JobTable;
}
