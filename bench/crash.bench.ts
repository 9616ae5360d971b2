// Durability under a crash (issue 9): 20 members with API tokens support needs, comment and cast priority
// ballots against the built server as fast as it answers, mostly supports; the server (and its workers) is
// killed with SIGKILL mid-burst, the database opened again and every write the server acknowledged looked
// for (src/lib/server/testing/crash.ts, which durability.test.ts runs too). On PostgreSQL the database server
// lives on; on the embedded database it dies with the server. The baseline is what the server acknowledged:
// crash.kept_ratio is stored ÷ acknowledged supports, and every crash.lost figure must be 0.
// BENCH_SCALE scales the burst (6 s at 1, at least 2 s).
import { crashUnderLoad, describeCrash, type CrashResult } from '#lib/server/testing/crash.ts';
import { dropPostgresDatabase, freshPostgresDatabase, postgresServerUrl, report, SCALE, section } from './harness.ts';

const CLIENTS = 20;
const BURST_MS = Math.max(2000, Math.round(6000 * SCALE));
const DB_NAME = 'caucus_bench_crash';

function reportCrash(suffix: string, r: CrashResult): void {
	console.log(`  ${describeCrash(r)}`);
	const kept = r.supports.acknowledged ? r.supports.stored / r.supports.acknowledged : 1;
	report(
		`crash.kept_ratio${suffix}`,
		Number(kept.toFixed(3)),
		'x',
		`${r.supports.stored} of ${r.supports.acknowledged} acknowledged supports stored after SIGKILL`
	);
	report(`crash.lost${suffix}`, r.supports.lost, 'supports', `of ${r.supports.acknowledged} acknowledged`);
	report(`crash.lost_comments${suffix}`, r.comments.lost, 'comments', `of ${r.comments.acknowledged} acknowledged`);
	report(
		`crash.lost_ballots${suffix}`,
		r.ballots.lost,
		'voters',
		`whose last acknowledged ballot is gone, of ${r.ballots.acknowledged} (${r.ballotAnswers} ballots acknowledged)`
	);
	report(
		`crash.supports_per_s${suffix}`,
		Number(r.supportsPerSecond.toFixed(1)),
		'supports/s',
		'acknowledged during the burst, mixed with comments and ballots'
	);
	report(`crash.counts_off${suffix}`, r.countsOff, 'needs', 'stored support_count different from the rows after recovery');
	const failed = Object.values(r.failedBeforeKill).reduce((a, b) => a + b, 0);
	if (failed) report(`crash.failed${suffix}`, failed, 'requests', JSON.stringify(r.failedBeforeKill));
}

export async function run(): Promise<void> {
	const server = await postgresServerUrl();
	if (server) {
		section(`crash on PostgreSQL: ${CLIENTS} clients, SIGKILL after ${BURST_MS} ms`);
		const url = await freshPostgresDatabase(server, DB_NAME);
		try {
			reportCrash('', await crashUnderLoad({ databaseUrl: url, clients: CLIENTS, burstMs: BURST_MS }));
		} finally {
			await dropPostgresDatabase(server, DB_NAME);
		}
	}
	section(`crash on PGlite (embedded): ${CLIENTS} clients, SIGKILL after ${BURST_MS} ms`);
	reportCrash('.pglite', await crashUnderLoad({ clients: CLIENTS, burstMs: BURST_MS }));
}
