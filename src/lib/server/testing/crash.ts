import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase, type Db } from '#lib/server/platform/db/database.ts';
import { migrate } from '#lib/server/modules.ts';
import { hashSecret } from '#lib/server/platform/auth/secrets.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { createCycle } from '#lib/server/modules/cycles/index.ts';
import { openRound } from '#lib/server/modules/priorities/index.ts';
import { ctxFor } from './context.ts';
import { startServer } from './server-process.ts';

/*
 * A crash under write load: the built server (`caucus serve`) on a fresh database, members with API tokens
 * supporting needs, commenting and casting priority ballots as fast as it answers, then SIGKILL for the
 * server and every process of it mid-burst, then the database opened again (on PGlite that is the
 * recovery a restart does) and every write the server acknowledged (2xx) looked for. Used by
 * durability.test.ts and bench/crash.bench.ts.
 */

export interface CrashOptions {
	/** A fresh, empty PostgreSQL database; without it the embedded database in a temporary folder. */
	databaseUrl?: string;
	/** Concurrent clients, each one member with an API token (20). */
	clients?: number;
	/** How long the burst runs before the kill, in ms (2,500). */
	burstMs?: number;
	/**
	 * The last part of the burst, in ms, in which clients only send supports (1,000), and the supports the
	 * server must have acknowledged since its last comment or ballot answer before the kill (20; it waits up
	 * to 10 s more for them). Any synchronous commit writes out the WAL of every commit before it, so comments
	 * and ballots up to the kill would cover for supports that committed asynchronously on the embedded
	 * database. The server's job worker still commits every 5 s, so such supports show as lost only since its
	 * last pass or the last comment: with the asynchronous commit of decision 0010 on PGlite, 2 to 22 a run.
	 */
	supportsOnlyMs?: number;
	supportsAtTheEnd?: number;
	/** Needs to support (each support is a new row: a client supports each need once) (300). */
	needs?: number;
	/** Extra environment for the server. */
	env?: Record<string, string>;
}

export interface CrashTally {
	/** Writes the server answered 2xx. */
	acknowledged: number;
	/** Of those, the ones found after the crash. */
	stored: number;
	/** Acknowledged and not found. For ballots: voters whose stored ballot is older than their last acknowledged one. */
	lost: number;
}

export interface CrashResult {
	engine: 'pglite' | 'postgres';
	supports: CrashTally;
	comments: CrashTally;
	/** By voter: those with an acknowledged ballot, whose stored ballot is their last acknowledged one (or the one in flight at the kill). */
	ballots: CrashTally;
	/** Ballots the server acknowledged, counting changes. */
	ballotAnswers: number;
	/** Supports found that were never acknowledged (in flight at the kill, committed): allowed. */
	unacknowledgedSupportsStored: number;
	/** Requests that failed before the kill (they should not). */
	failedBeforeKill: Record<string, number>;
	/** Needs whose stored support_count differs from their support rows after recovery. */
	countsOff: number;
	/** The burst's length until the kill, and acknowledged supports a second in it. */
	seconds: number;
	supportsPerSecond: number;
}

interface Seeded {
	tokens: string[];
	memberIds: number[];
	needIds: number[];
	roundId: number;
	candidates: number[];
}

async function seed(db: Db, clients: number, needs: number): Promise<Seeded> {
	const admin = await buildMember(db, { isAdmin: true, handle: 'crash-admin' });
	const ctx = ctxFor(db, admin);
	await createCycle(ctx, { slug: '2029.1', name: 'Crash cycle', startsOn: '2026-01-01', endsOn: '2030-12-31' });
	const group = await buildGroup(db, { chair: admin, visibility: 'open', slug: 'crash-ops' });
	const tokens: string[] = [];
	const memberIds: number[] = [];
	const now = new Date();
	for (let i = 0; i < clients; i++) {
		const member = await buildMember(db, { handle: `crash-${i}`, organization: `Cloud ${i % 4}` });
		await addMembership(db, group, member);
		const token = `caucus_crash_${i}_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`;
		await db
			.insertInto('api_token')
			.values({
				member_id: member.id,
				name: 'crash',
				token_hash: hashSecret(token),
				prefix: token.slice(0, 12),
				created_at: now,
				last_used_at: null,
				revoked_at: null
			})
			.execute();
		tokens.push(token);
		memberIds.push(member.id);
	}
	const needIds: number[] = [];
	for (let i = 0; i < needs; i++)
		needIds.push((await buildNeed(db, { group: { id: group.id, visibility: 'open' }, status: 'accepted', title: `Crash need ${i + 1}` })).id);
	const candidates = needIds.slice(0, 6);
	const round = await openRound(ctx, group.slug, { cycle: '2029.1', title: 'Crash round', candidates });
	return { tokens, memberIds, needIds, roundId: round.id, candidates };
}

/** A small deterministic generator, so each client's order of needs differs but runs repeat. */
function prng(seed: number) {
	let state = seed >>> 0 || 1;
	return () => {
		state ^= state << 13;
		state ^= state >>> 17;
		state ^= state << 5;
		return (state >>> 0) / 4294967296;
	};
}

function shuffled<T>(items: readonly T[], rand: () => number): T[] {
	const out = [...items];
	for (let i = out.length - 1; i > 0; i--) {
		const j = Math.floor(rand() * (i + 1));
		[out[i], out[j]] = [out[j], out[i]];
	}
	return out;
}

interface Answer {
	status: number | string;
	body: string;
}

function send(agent: http.Agent, base: URL, token: string, method: string, path: string, payload: unknown): Promise<Answer> {
	return new Promise((resolve) => {
		const body = JSON.stringify(payload);
		const request = http.request(
			{
				host: base.hostname,
				port: base.port,
				method,
				path,
				agent,
				headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }
			},
			(response) => {
				let text = '';
				response.setEncoding('utf8');
				response.on('data', (chunk: string) => (text += chunk));
				response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
				response.on('error', (error) => resolve({ status: (error as NodeJS.ErrnoException).code ?? 'error', body: '' }));
			}
		);
		request.on('error', (error) => resolve({ status: (error as NodeJS.ErrnoException).code ?? 'error', body: '' }));
		request.end(body);
	});
}

const ok = (status: number | string) => typeof status === 'number' && status >= 200 && status < 300;

/** Runs one crash: seed, serve, burst, SIGKILL, reopen, count. Removes the temporary data folder afterwards. */
export async function crashUnderLoad(options: CrashOptions = {}): Promise<CrashResult> {
	const clients = options.clients ?? 20;
	const burstMs = options.burstMs ?? 2500;
	const engine = options.databaseUrl ? 'postgres' : 'pglite';
	const dataDir = mkdtempSync(join(tmpdir(), 'caucus-crash-'));
	const database = options.databaseUrl ? ({ kind: 'postgres', url: options.databaseUrl } as const) : ({ kind: 'pglite', dataDir } as const);
	try {
		// Seed, then let go of the database: on PGlite only one process may open it (decision 0003).
		let opened = await openDatabase(database);
		let seeded: Seeded;
		try {
			await migrate(opened.db);
			seeded = await seed(opened.db, clients, options.needs ?? 300);
		} finally {
			await opened.close();
		}

		const server = await startServer({ ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : { DATABASE_URL: '' }), ...options.env }, { dataDir });
		const base = new URL(server.url);
		const acknowledgedSupports = new Set<string>();
		const acknowledgedComments: number[] = [];
		/** Per voter: the rankings of their acknowledged ballots in order, and the one in flight at the kill. */
		const ballots = seeded.memberIds.map(() => ({ acknowledged: [] as string[], inFlight: null as string | null }));
		let ballotAnswers = 0;
		const failedBeforeKill: Record<string, number> = {};
		let killed = false;
		const started = performance.now();
		const supportsOnlyFrom = started + burstMs - (options.supportsOnlyMs ?? 1000);
		/** Supports acknowledged since the last comment or ballot answer. */
		let supportsSinceOthers = 0;
		let seconds = 0;

		const client = async (i: number) => {
			const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
			const rand = prng(7919 * (i + 1));
			const needs = shuffled(seeded.needIds, rand);
			let comments = 0;
			try {
				while (!killed) {
					const pick = performance.now() < supportsOnlyFrom ? rand() : 0;
					if (pick === 0 && !needs.length) break; // supported every need: nothing left for the end
					if (pick < 0.8 && needs.length) {
						const needId = needs.pop()!;
						const answer = await send(agent, base, seeded.tokens[i], 'PUT', `/api/v1/needs/${needId}/support`, {});
						if (ok(answer.status)) {
							acknowledgedSupports.add(`${needId}:${seeded.memberIds[i]}`);
							supportsSinceOthers++;
						} else if (!killed) failedBeforeKill[`support ${answer.status}`] = (failedBeforeKill[`support ${answer.status}`] ?? 0) + 1;
					} else if (pick < 0.92) {
						const needId = seeded.needIds[Math.floor(rand() * seeded.needIds.length)];
						const answer = await send(agent, base, seeded.tokens[i], 'POST', `/api/v1/needs/${needId}/comments`, { body: `Crash comment ${i}-${++comments}` });
						supportsSinceOthers = 0;
						if (ok(answer.status)) acknowledgedComments.push(Number(JSON.parse(answer.body).id));
						else if (!killed) failedBeforeKill[`comment ${answer.status}`] = (failedBeforeKill[`comment ${answer.status}`] ?? 0) + 1;
					} else {
						const ranking = shuffled(seeded.candidates, rand).map((id) => [id]);
						const key = JSON.stringify(ranking);
						ballots[i].inFlight = key;
						const answer = await send(agent, base, seeded.tokens[i], 'PUT', `/api/v1/priorities/rounds/${seeded.roundId}/ballot`, { ranking });
						supportsSinceOthers = 0;
						if (ok(answer.status)) {
							ballots[i].acknowledged.push(key);
							ballots[i].inFlight = null;
							ballotAnswers++;
						} else if (!killed) {
							ballots[i].inFlight = null;
							failedBeforeKill[`ballot ${answer.status}`] = (failedBeforeKill[`ballot ${answer.status}`] ?? 0) + 1;
						}
					}
				}
			} finally {
				agent.destroy();
			}
		};

		const burst = Promise.all(seeded.memberIds.map((_, i) => client(i)));
		await new Promise((resolve) => setTimeout(resolve, burstMs));
		const tailDeadline = performance.now() + 10_000;
		const wanted = options.supportsAtTheEnd ?? 20;
		while (supportsSinceOthers < wanted && performance.now() < tailDeadline) await new Promise((resolve) => setTimeout(resolve, 10));
		seconds = (performance.now() - started) / 1000;
		// The acknowledged supports at the moment of the kill give the rate; answers still arriving count too.
		const supportsAtKill = acknowledgedSupports.size;
		killed = true;
		await server.kill();
		await burst;

		opened = await openDatabase(database);
		try {
			return {
				engine,
				...(await count(opened.db, seeded, acknowledgedSupports, acknowledgedComments, ballots, ballotAnswers)),
				failedBeforeKill,
				seconds,
				supportsPerSecond: supportsAtKill / seconds
			};
		} finally {
			await opened.close();
			await server.stop();
		}
	} finally {
		rmSync(dataDir, { recursive: true, force: true });
	}
}

async function count(
	db: Db,
	seeded: Seeded,
	acknowledgedSupports: Set<string>,
	acknowledgedComments: number[],
	ballots: { acknowledged: string[]; inFlight: string | null }[],
	ballotAnswers: number
) {
	const supportRows = await db.selectFrom('support').select(['need_id', 'member_id']).where('member_id', 'in', seeded.memberIds).execute();
	const storedSupports = new Set(supportRows.map((r) => `${r.need_id}:${r.member_id}`));
	const supportsFound = [...acknowledgedSupports].filter((key) => storedSupports.has(key)).length;

	const commentIds = acknowledgedComments.length
		? new Set((await db.selectFrom('need_comment').select('id').where('id', 'in', acknowledgedComments).execute()).map((r) => Number(r.id)))
		: new Set<number>();
	const commentsFound = acknowledgedComments.filter((id) => commentIds.has(id)).length;

	const storedBallots = await db.selectFrom('priority_ballot').select(['member_id', 'ranking']).where('round_id', '=', seeded.roundId).execute();
	const ballotOf = new Map(storedBallots.map((b) => [Number(b.member_id), JSON.stringify(b.ranking)]));
	let voters = 0;
	let votersKept = 0;
	seeded.memberIds.forEach((memberId, i) => {
		const { acknowledged, inFlight } = ballots[i];
		if (!acknowledged.length) return;
		voters++;
		// The last acknowledged ballot, or the one in flight at the kill if it committed before the process died.
		const stored = ballotOf.get(memberId);
		if (stored === acknowledged[acknowledged.length - 1] || (inFlight !== null && stored === inFlight)) votersKept++;
	});

	const off = await sql<{ n: number }>`
		select count(*)::int as n from need n
		where n.support_count <> (select count(distinct s.member_id) from support s where s.need_id = n.id)`.execute(db);

	return {
		supports: { acknowledged: acknowledgedSupports.size, stored: supportsFound, lost: acknowledgedSupports.size - supportsFound },
		comments: { acknowledged: acknowledgedComments.length, stored: commentsFound, lost: acknowledgedComments.length - commentsFound },
		ballots: { acknowledged: voters, stored: votersKept, lost: voters - votersKept },
		ballotAnswers,
		unacknowledgedSupportsStored: [...storedSupports].filter((key) => !acknowledgedSupports.has(key)).length,
		countsOff: Number(off.rows[0].n)
	};
}

/** One line for logs and the benchmark. */
export function describeCrash(r: CrashResult): string {
	const t = (x: CrashTally) => `${x.acknowledged} acknowledged, ${x.lost} lost`;
	return (
		`${r.engine}: killed after ${r.seconds.toFixed(1)} s; supports ${t(r.supports)} (${r.supportsPerSecond.toFixed(0)}/s; ${r.unacknowledgedSupportsStored} in flight stored too); ` +
		`comments ${t(r.comments)}; ballots ${r.ballotAnswers} acknowledged, the last one of ${r.ballots.lost} of ${r.ballots.acknowledged} voters lost; counts off on ${r.countsOff} needs` +
		(Object.keys(r.failedBeforeKill).length ? `; failed before the kill: ${JSON.stringify(r.failedBeforeKill)}` : '')
	);
}
