import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { TestClock } from '#lib/server/testing/context.ts';
import { backoffMs, claimJobs, enqueueJob, ensureRecurringJobs, PermanentJobError, registerJob, runDueJobs, runJob, startWorker } from './jobs.ts';

let t: TestDatabase;
const clock = new TestClock();
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());
beforeEach(async () => {
	await t.db.deleteFrom('job').execute();
});

const ctx = () => ({ db: t.db, now: clock.now });
const jobRow = (id: number) => t.db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('the job table', () => {
	it('runs every job exactly once when several workers claim at the same time', async () => {
		const ran: number[] = [];
		registerJob('test.count', async (_ctx, payload) => {
			ran.push(Number(payload.n));
		});
		for (let n = 0; n < 40; n++) await enqueueJob(ctx(), 'test.count', { payload: { n } });
		const workers = ['a', 'b', 'c', 'd'].map((w) => runDueJobs(t.db, { workerId: `w-${w}`, now: clock.now, kinds: ['test.count'], batch: 3 }));
		const outcomes = (await Promise.all(workers)).flat();
		expect(outcomes).toHaveLength(40);
		expect([...ran].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i));
		const states = await t.db.selectFrom('job').select('state').where('kind', '=', 'test.count').execute();
		expect(states.every((s) => s.state === 'done')).toBe(true);
	});

	it('queues a job with a dedupe key once while it waits, and again once it ran', async () => {
		registerJob('test.dedupe', async () => undefined);
		const first = await enqueueJob(ctx(), 'test.dedupe', { dedupeKey: 'sync:1' });
		const second = await enqueueJob(ctx(), 'test.dedupe', { dedupeKey: 'sync:1' });
		expect(first).not.toBeNull();
		expect(second).toBeNull();
		await runDueJobs(t.db, { now: clock.now, kinds: ['test.dedupe'] });
		expect(await enqueueJob(ctx(), 'test.dedupe', { dedupeKey: 'sync:1' })).not.toBeNull();
	});

	it('enqueues inside the caller’s transaction: a rolled-back change leaves no job', async () => {
		await t.db
			.transaction()
			.execute(async (tx) => {
				await enqueueJob({ db: tx, now: clock.now }, 'test.count', { payload: { n: 1 } });
				throw new Error('roll back');
			})
			.catch(() => undefined);
		expect(await t.db.selectFrom('job').selectAll().execute()).toHaveLength(0);
	});

	it('retries a failing job later and later, then gives up and keeps the error', async () => {
		let calls = 0;
		registerJob(
			'test.flaky',
			async () => {
				calls++;
				throw new Error(`tracker down (${calls})`);
			},
			{ maxAttempts: 3 }
		);
		const id = (await enqueueJob(ctx(), 'test.flaky'))!;
		const delays: number[] = [];
		for (let attempt = 1; attempt <= 3; attempt++) {
			const [outcome] = await runDueJobs(t.db, { now: clock.now, kinds: ['test.flaky'] });
			expect(outcome.outcome).toBe(attempt < 3 ? 'retry' : 'failed');
			const row = await jobRow(id);
			if (attempt < 3) {
				expect(row.state).toBe('queued');
				delays.push(row.run_at.getTime() - clock.now().getTime());
				// Not due yet: nothing runs until the backoff has passed.
				expect(await runDueJobs(t.db, { now: clock.now, kinds: ['test.flaky'] })).toHaveLength(0);
				clock.current = row.run_at;
			} else {
				expect(row.state).toBe('failed');
				expect(row.last_error).toBe('tracker down (3)');
				expect(row.attempts).toBe(3);
			}
		}
		expect(calls).toBe(3);
		expect(delays[0]).toBeGreaterThanOrEqual(5_000);
		expect(delays[1]).toBeGreaterThanOrEqual(10_000);
		expect(delays[1]).toBeGreaterThan(delays[0] - 1);
	});

	it('fails at once on a permanent error', async () => {
		registerJob('test.refused', async () => {
			throw new PermanentJobError('the tracker refused the credentials');
		});
		const id = (await enqueueJob(ctx(), 'test.refused'))!;
		await runDueJobs(t.db, { now: clock.now, kinds: ['test.refused'] });
		expect((await jobRow(id)).state).toBe('failed');
	});

	it('takes back a job whose worker died once its lease has run out, and the dead worker cannot finish it', async () => {
		const ran: string[] = [];
		registerJob(
			'test.lease',
			async (c) => {
				ran.push(c.workerId);
			},
			{ leaseMs: 60_000 }
		);
		const id = (await enqueueJob(ctx(), 'test.lease'))!;
		const [claimed] = await claimJobs(t.db, 'crashed', clock.now(), { kinds: ['test.lease'] });
		expect(claimed.id).toBe(id);
		// Within the lease nobody else gets it.
		clock.advance(30_000);
		expect(await claimJobs(t.db, 'other', clock.now(), { kinds: ['test.lease'] })).toHaveLength(0);
		clock.advance(31_000);
		const outcomes = await runDueJobs(t.db, { workerId: 'restarted', now: clock.now, kinds: ['test.lease'] });
		expect(outcomes.map((o) => o.outcome)).toEqual(['done']);
		expect(ran).toEqual(['restarted']);
		const row = await jobRow(id);
		expect(row.state).toBe('done');
		expect(row.attempts).toBe(2);
		// The crashed worker coming back late changes nothing.
		await runJob(t.db, { ...claimed, kind: 'test.lease' }, 'crashed', clock.now);
		expect((await jobRow(id)).state).toBe('done');
	});

	it('keeps exactly one instance of a recurring job queued', async () => {
		registerJob('test.recurring', async () => undefined, { every: 60_000 });
		await ensureRecurringJobs(t.db, clock.now());
		await ensureRecurringJobs(t.db, clock.now());
		const rows = await t.db.selectFrom('job').selectAll().where('kind', '=', 'test.recurring').execute();
		expect(rows).toHaveLength(1);
		expect(rows[0].run_at.getTime()).toBe(clock.now().getTime() + 60_000);
	});

	it('the worker runs what is queued and stops when asked, finishing the job in hand', async () => {
		let release!: () => void;
		const ran = new Promise<void>((resolve) => (release = resolve));
		registerJob('test.worker', async () => {
			release();
		});
		await enqueueJob({ db: t.db, now: () => new Date() }, 'test.worker');
		const worker = startWorker(async () => t.db, { idleMs: 50 });
		await ran;
		await worker.stop();
		const rows = await t.db.selectFrom('job').select('state').where('kind', '=', 'test.worker').execute();
		expect(rows.map((r) => r.state)).toEqual(['done']);
	});

	it('backs off exponentially with jitter, capped at an hour', () => {
		expect(backoffMs(1, () => 0)).toBe(5_000);
		expect(backoffMs(1, () => 1)).toBe(10_000);
		expect(backoffMs(3, () => 1)).toBe(40_000);
		expect(backoffMs(30, () => 1)).toBe(3_600_000);
	});
});
