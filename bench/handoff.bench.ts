// Upstream sync (issue 4, "Doors, tests, benchmarks"): `handoff.sync` jobs run through the job table exactly as
// the server's worker runs them (claim with SKIP LOCKED, read each issue from the tracker, apply it, queue the
// next batch) over 10,000 handed needs (× BENCH_SCALE) against the local fake GitHub, a tenth of them closed
// upstream in a milestone so the sync writes their status changes and history. The baseline, in the same run,
// is a bare loop of the same GET requests against the same fake server with the same concurrency: the ratio
// is what reading the state back into Caucus costs on top of asking the tracker.
// Runs on PostgreSQL when one answers (BENCH_DATABASE_URL), else on an in-memory PGlite.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { useSiteKey } from '#lib/server/platform/auth/encryption.ts';
import { openDatabase, type OpenDatabase } from '#lib/server/platform/db/database.ts';
import { migrate } from '#lib/server/modules.ts';
import { runDueJobs } from '#lib/server/platform/jobs/index.ts';
import { queueTrackerSyncs } from '#lib/server/modules/handoff/index.ts';
import { buildTracker } from '#lib/server/modules/handoff/handoff.factories.ts';
import { startFakeGitHub } from '#lib/server/testing/trackers/github.ts';
import { allowPrivateAddresses } from '#lib/server/platform/http/outgoing.ts';
import { dropPostgresDatabase, freshPostgresDatabase, postgresServerUrl, report, scaled, section } from './harness.ts';

/** run.ts builds the server only for benchmarks that need it: this one runs the worker's code in-process. */
export const needsBuild = false;

const CONCURRENCY = 8; // what one sync job uses (handoff.sync.ts)
const DB_NAME = 'caucus_bench_handoff';

export async function run(): Promise<void> {
	const count = scaled(10_000, 100);
	section(`Upstream sync: ${count.toLocaleString('en')} handed needs against a local fake GitHub`);
	useSiteKey(randomBytes(32));
	allowPrivateAddresses(true); // the fake GitHub listens on 127.0.0.1, as CAUCUS_ALLOW_PRIVATE_TRACKERS=1 allows
	const github = await startFakeGitHub({ repo: 'openstack/nova' });
	const serverUrl = await postgresServerUrl();
	const database: OpenDatabase = serverUrl
		? await openDatabase({ kind: 'postgres', url: await freshPostgresDatabase(serverUrl, DB_NAME) })
		: await openDatabase({ kind: 'pglite', dataDir: 'memory://' });
	try {
		const db = database.db;
		await migrate(db);
		const tracker = await buildTracker(db, { name: 'Nova', baseUrl: github.url, project: github.repo, token: github.token });
		const now = new Date();
		await sql`
			insert into need (title, kind, status, status_reason, created_at, updated_at, published_at)
			select 'Handed need ' || g, 'feature', 'handed_upstream', 'Handed upstream.', ${now}, ${now}, ${now}
			from generate_series(1, ${count}::int) g`.execute(db);
		await sql`
			insert into handoff (need_id, tracker_id, kind, upstream_key, upstream_url, title, status, upstream_state, created_at, upstream_updated_at)
			select n.id, ${tracker.id}, 'feature', (row_number() over (order by n.id))::text,
				${`${github.url}/${github.repo}/issues/`} || (row_number() over (order by n.id))::text, n.title, 'handed_upstream', 'open', ${now}, ${now}
			from need n`.execute(db);
		for (let number = 1; number <= count; number++) {
			github.issues.set(number, {
				number,
				title: `Handed need ${number}`,
				body: '',
				state: 'open',
				state_reason: null,
				labels: [],
				assignees: [],
				milestone: null,
				updated_at: now.toISOString()
			});
		}
		// A tenth were delivered upstream since the last sync: those writes (handoff, need, history, activity) are measured too.
		for (let number = 1; number <= count; number += 10) github.setState(number, 'completed', '2027.1');

		// Baseline: the same GETs, same concurrency, nothing done with the answers.
		const headers = { authorization: `Bearer ${github.token}`, accept: 'application/vnd.github+json' };
		let next = 1;
		const started = performance.now();
		await Promise.all(
			Array.from({ length: CONCURRENCY }, async () => {
				while (next <= count) {
					const number = next++;
					const response = await fetch(`${github.url}/repos/${github.repo}/issues/${number}`, { headers });
					await response.json();
				}
			})
		);
		const baselinePerS = count / ((performance.now() - started) / 1000);

		// The sync, as the worker runs it.
		const syncStarted = performance.now();
		await queueTrackerSyncs({ db, now: () => new Date() }, { trackerId: Number(tracker.id), all: true });
		const outcomes = await runDueJobs(db, { kinds: ['handoff.sync'] });
		const seconds = (performance.now() - syncStarted) / 1000;
		const perS = count / seconds;

		const synced = await db
			.selectFrom('handoff')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.where('synced_at', 'is not', null)
			.executeTakeFirstOrThrow();
		const delivered = await db
			.selectFrom('need')
			.select((eb) => eb.fn.countAll<number>().as('n'))
			.where('status', '=', 'delivered')
			.executeTakeFirstOrThrow();
		const expectedDelivered = Math.ceil(count / 10);
		if (Number(synced.n) !== count || Number(delivered.n) !== expectedDelivered || outcomes.some((o) => o.outcome !== 'done')) {
			throw new Error(
				`The sync did not finish right: ${synced.n} of ${count} synced, ${delivered.n} of ${expectedDelivered} delivered, ${outcomes.filter((o) => o.outcome !== 'done').length} jobs not done.`
			);
		}
		console.log(`  ${database.kind}: ${outcomes.length} sync jobs, ${count} handoffs read, ${delivered.n} needs delivered in ${seconds.toFixed(2)} s`);
		report('sync.baseline_get_per_s', Math.round(baselinePerS), 'per_s', 'bare GET loop, same fake server, same concurrency');
		report('sync.per_s', Math.round(perS), 'per_s', `handoffs synced per second through the job table (${database.kind})`);
		report('sync.ratio', baselinePerS / perS, 'x', 'sync time / bare GET time for the same items');
	} finally {
		await database.close();
		await github.close();
		useSiteKey(null);
		if (serverUrl) await dropPostgresDatabase(serverUrl, DB_NAME);
	}
}
