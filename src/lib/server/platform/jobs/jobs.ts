import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Ctx } from '../context.ts';
import type { Db, Executor } from '../db/database.ts';
import { jsonb } from '../db/sql.ts';
import { log } from '../log.ts';
import type { JobRow } from './jobs.tables.ts';

/*
 * The durable job table. Work is enqueued in the caller's transaction (so it exists exactly when the
 * change that asked for it committed), claimed in batches with FOR UPDATE SKIP LOCKED (so any number
 * of instances share it and no job runs twice at once), and held under a lease: a worker that dies
 * leaves its jobs `running` with a `locked_until` in the past, and the next claim takes them again.
 * A failure is retried after an exponential backoff with jitter until `max_attempts`, then the job is
 * `failed` and keeps its last error for the operator.
 */

/** Thrown by a handler for a failure that will not get better by trying again: the job fails at once. */
export class PermanentJobError extends Error {
	constructor(message: string, options?: { cause?: unknown }) {
		super(message, options);
		this.name = 'PermanentJobError';
	}
}

export interface JobContext {
	db: Db;
	now: () => Date;
	job: JobRow;
	workerId: string;
}

/** A handler may return lines describing what it changed; `runDueJobs` collects them for the CLI. */
export type JobHandler = (ctx: JobContext, payload: Record<string, unknown>) => Promise<string[] | void>;

interface Registration {
	handler: JobHandler;
	/** For a recurring job: one instance is kept queued, `every` ms after the last one was queued. */
	every?: number;
	leaseMs: number;
	maxAttempts: number;
}

const registry = new Map<string, Registration>();

/** Registers the handler of a kind of job; modules call it when they are imported. */
export function registerJob(kind: string, handler: JobHandler, options: { every?: number; leaseMs?: number; maxAttempts?: number } = {}): void {
	registry.set(kind, { handler, every: options.every, leaseMs: options.leaseMs ?? 5 * 60_000, maxAttempts: options.maxAttempts ?? 5 });
}

export const registeredKinds = () => [...registry.keys()];

export interface EnqueueOptions {
	payload?: Record<string, unknown>;
	/** While a job with this key is queued, enqueueing it again does nothing. */
	dedupeKey?: string;
	runAt?: Date;
	maxAttempts?: number;
}

/**
 * Queues a job in the caller's transaction (pass the transaction as `ctx.db`). Returns the new job's id,
 * or null when a job with the same dedupe key was already queued.
 */
export async function enqueueJob(ctx: Pick<Ctx, 'db' | 'now'>, kind: string, options: EnqueueOptions = {}): Promise<number | null> {
	const now = ctx.now();
	const row = await ctx.db
		.insertInto('job')
		.values({
			kind,
			payload: jsonb(options.payload ?? {}),
			dedupe_key: options.dedupeKey ?? null,
			run_at: options.runAt ?? now,
			max_attempts: options.maxAttempts ?? registry.get(kind)?.maxAttempts ?? 5,
			created_at: now,
			locked_by: null,
			locked_until: null,
			last_error: null,
			finished_at: null
		})
		.onConflict((oc) => oc.column('dedupe_key').where('state', '=', 'queued').doNothing())
		.returning('id')
		.executeTakeFirst();
	return row ? Number(row.id) : null;
}

/**
 * Claims up to `limit` due jobs for `workerId`: queued ones whose time has come and running ones whose
 * lease has expired (their worker died). Each claim counts as an attempt. Rows another worker is
 * claiming at the same moment are skipped, not waited for.
 */
export async function claimJobs(db: Executor, workerId: string, now: Date, options: { limit?: number; kinds?: readonly string[] } = {}): Promise<JobRow[]> {
	const kinds = options.kinds ?? registeredKinds();
	if (!kinds.length) return [];
	const limit = options.limit ?? 10;
	const leaseMs = Math.max(...kinds.map((k) => registry.get(k)?.leaseMs ?? 5 * 60_000));
	const lockedUntil = new Date(now.getTime() + leaseMs);
	const kindList = sql.join(kinds.map((k) => sql`${k}`));
	// A job whose worker died on its last allowed attempt is not tried again.
	await sql`
		update job set state = 'failed', finished_at = ${now}, locked_by = null, locked_until = null,
			last_error = coalesce(last_error || ' / ', '') || 'its worker stopped before finishing, on the last attempt'
		where state = 'running' and locked_until < ${now} and attempts >= max_attempts and kind in (${kindList})`.execute(db);
	const result = await sql<JobRow>`
		update job set state = 'running', locked_by = ${workerId}, locked_until = ${lockedUntil}, attempts = attempts + 1
		where id in (
			select id from job
			where kind in (${kindList})
				and ((state = 'queued' and run_at <= ${now}) or (state = 'running' and locked_until < ${now}))
			order by run_at, id
			limit ${limit}
			for update skip locked
		)
		returning *`.execute(db);
	return result.rows.map((r) => ({ ...r, id: Number(r.id), attempts: Number(r.attempts), max_attempts: Number(r.max_attempts) }));
}

/** The wait before attempt `attempts + 1`: 10 s doubling per attempt, at most an hour, with half of it random. */
export function backoffMs(attempts: number, random: () => number = Math.random): number {
	const full = Math.min(60 * 60_000, 10_000 * 2 ** Math.max(0, attempts - 1));
	return Math.round(full / 2 + (full / 2) * random());
}

export interface JobOutcome {
	job: JobRow;
	outcome: 'done' | 'retry' | 'failed';
	lines: string[];
	error?: string;
}

/** Runs one claimed job and records its outcome, unless another worker has re-claimed it meanwhile. */
export async function runJob(db: Db, job: JobRow, workerId: string, now: () => Date): Promise<JobOutcome> {
	const registration = registry.get(job.kind);
	try {
		if (!registration) throw new PermanentJobError(`No handler is registered for jobs of kind ${job.kind}.`);
		const lines = (await registration.handler({ db, now, job, workerId }, job.payload)) ?? [];
		await db
			.updateTable('job')
			.set({ state: 'done', finished_at: now(), locked_by: null, locked_until: null, last_error: null })
			.where('id', '=', job.id)
			.where('locked_by', '=', workerId)
			.execute();
		return { job, outcome: 'done', lines };
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		const giveUp = error instanceof PermanentJobError || job.attempts >= job.max_attempts;
		const at = now();
		await db
			.updateTable('job')
			.set(
				giveUp
					? { state: 'failed', finished_at: at, locked_by: null, locked_until: null, last_error: message.slice(0, 2000) }
					: {
							state: 'queued',
							run_at: new Date(at.getTime() + backoffMs(job.attempts)),
							locked_by: null,
							locked_until: null,
							last_error: message.slice(0, 2000)
						}
			)
			.where('id', '=', job.id)
			.where('locked_by', '=', workerId)
			.execute();
		log.warn({ err: error, jobId: job.id, kind: job.kind, attempts: job.attempts, giveUp }, 'job failed');
		return { job, outcome: giveUp ? 'failed' : 'retry', lines: [], error: message };
	}
}

/** Keeps one queued instance of every recurring job. */
export async function ensureRecurringJobs(db: Executor, now: Date): Promise<void> {
	for (const [kind, registration] of registry) {
		if (!registration.every) continue;
		await enqueueJob({ db, now: () => now }, kind, { dedupeKey: `recurring:${kind}`, runAt: new Date(now.getTime() + registration.every) });
	}
}

export const newWorkerId = () => `worker-${process.pid}-${randomBytes(4).toString('hex')}`;

/**
 * Runs due jobs until none is left (or `maxJobs` ran): what the CLI does once through, and what the worker
 * does each time it wakes up. Jobs a handler queues for right away are run in the same pass.
 */
export async function runDueJobs(
	db: Db,
	options: { now?: () => Date; workerId?: string; kinds?: readonly string[]; maxJobs?: number; batch?: number } = {}
): Promise<JobOutcome[]> {
	const now = options.now ?? (() => new Date());
	const workerId = options.workerId ?? newWorkerId();
	const outcomes: JobOutcome[] = [];
	const max = options.maxJobs ?? Infinity;
	while (outcomes.length < max) {
		const jobs = await claimJobs(db, workerId, now(), { limit: Math.min(options.batch ?? 10, max - outcomes.length), kinds: options.kinds });
		if (!jobs.length) break;
		for (const job of jobs) outcomes.push(await runJob(db, job, workerId, now));
	}
	return outcomes;
}

export interface Worker {
	stop(): Promise<void>;
}

/**
 * The background worker `caucus serve` starts: wakes every `idleMs`, keeps recurring jobs queued, runs
 * what is due, and forgets finished jobs after a week. `stop` lets the job in hand finish.
 */
export function startWorker(getDb: () => Promise<Db>, options: { idleMs?: number } = {}): Worker {
	const workerId = newWorkerId();
	const idleMs = options.idleMs ?? 5_000;
	let stopped = false;
	let timer: NodeJS.Timeout | undefined;
	let wake: (() => void) | undefined;
	let lastCleanup = 0;
	const loop = (async () => {
		while (!stopped) {
			try {
				const db = await getDb();
				const now = new Date();
				await ensureRecurringJobs(db, now);
				if (now.getTime() - lastCleanup > 60 * 60_000) {
					lastCleanup = now.getTime();
					await db
						.deleteFrom('job')
						.where('state', 'in', ['done', 'failed'])
						.where('finished_at', '<', new Date(now.getTime() - 7 * 24 * 60 * 60_000))
						.execute();
				}
				await runDueJobs(db, { workerId, maxJobs: 100 });
			} catch (error) {
				log.error({ err: error }, 'job worker pass failed');
			}
			if (stopped) break;
			await new Promise<void>((resolve) => {
				wake = resolve;
				timer = setTimeout(resolve, idleMs);
			});
		}
	})();
	return {
		async stop() {
			stopped = true;
			clearTimeout(timer);
			wake?.();
			await loop;
		}
	};
}
