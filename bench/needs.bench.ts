// The needs board under load (issue 3, "Benchmarks"). Seeds the design sizes on PostgreSQL (and a tenth on
// PGlite), then measures, each against a bare baseline in the same run (the app as `caucus serve` runs it: on
// PostgreSQL one HTTP worker per CPU; the board is also measured with one process, board.ratio.one_process):
//   - the board page, a need's page and the JSON list: autocannon, 32 connections, loopback; the baseline
//     is bench/baseline-server.ts replaying the SQL the app's own route code ran (captured, see capture.ts);
//   - similar-need suggestions: similarNeeds() in-process for ~300 partly typed titles;
//   - concurrent supports: 64 members with API tokens supporting and withdrawing through the API, then
//     every stored count compared with the rows; the baseline is a raw INSERT … ON CONFLICT / DELETE loop;
//   - the JavaScript the board page loads, gzipped.
// BENCH_KEEP_DB=1 keeps the PostgreSQL database (caucus_bench_needs) for EXPLAIN afterwards;
// BENCH_EXPLAIN=1 prints the plans (EXPLAIN ANALYZE) of the captured queries and of a suggestion; BENCH_NEEDS_PART=postgres
// or =pglite runs one half.
import autocannon from 'autocannon';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { Kysely, PGliteDialect, sql } from 'kysely';
import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { openDatabase, openPglite, type Database, type Db } from '#lib/server/platform/db/database.ts';
import { migrate } from '#lib/server/modules.ts';
import { systemClock, type Ctx } from '#lib/server/platform/context.ts';
import { getNeedPage, listBoard, similarNeeds } from '#lib/server/modules/needs/index.ts';
import { spawnListening, startServer, type RunningServer } from '#lib/server/testing/server-process.ts';
import { dropPostgresDatabase, freshPostgresDatabase, median, postgresServerUrl, report, SCALE, section } from './harness.ts';
import { QueryRecorder, visitorEvent, type CapturedPlan } from './capture.ts';
import { checkFacts, seedNeedsBoard, seedWriters, sizesAt, type NeedsBoardSizes, type Writer } from './seed-needs.ts';
import { partialTitle, prng } from './words.ts';

const ROOT = new URL('..', import.meta.url).pathname;
const CONNECTIONS = 32;
const WRITERS = 64;
const SIMILAR_TITLES = 300;
const POPULAR_NEEDS = 50;
const BOARD_QUERY = 'sort=top&kind=bug';
const LOAD_SECONDS = Math.max(3, Math.round(10 * SCALE));
const WARMUP_SECONDS = Math.max(1, Math.round(LOAD_SECONDS / 5));
const WRITE_SECONDS = Math.max(5, Math.round(20 * SCALE));
const POOL = 10; // the app's pool size (openDatabase's default); the baselines get the same
const DB_NAME = 'caucus_bench_needs';

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const percentile = (values: number[], p: number) => {
	if (!values.length) return NaN;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

// ---------------------------------------------------------------------------------------------------
// Capturing the app's SQL from its own routes.

interface Plans {
	board: CapturedPlan;
	list: CapturedPlan;
	needs: Map<number, CapturedPlan>;
	/** How each plan was obtained: the route module, or the query function when the route is not there yet. */
	how: Record<string, string>;
}

type RouteModule = { load?: (event: unknown) => Promise<unknown>; GET?: (event: unknown) => Promise<Response> };

async function importRoute(relative: string): Promise<RouteModule | null> {
	const file = join(ROOT, 'src', 'routes', relative);
	if (!existsSync(file)) return null;
	try {
		return (await import(pathToFileURL(file).href)) as RouteModule;
	} catch (error) {
		console.log(`  (could not import ${relative}: ${(error as Error).message}; using the query function instead)`);
		return null;
	}
}

export async function capturePlans(recorder: QueryRecorder, popular: number[]): Promise<Plans> {
	const visitor = (db: Db): Ctx => ({ db, actor: null, now: systemClock });
	const how: Record<string, string> = {};
	const boardRoute = await importRoute('(public)/needs/+page.server.ts');
	const needRoute = await importRoute('(public)/needs/[id=id]/+page.server.ts');
	const listRoute = await importRoute('api/v1/needs/+server.ts');

	const viaRoute = async (name: string, route: (() => Promise<unknown>) | null, fallback: (db: Db) => Promise<unknown>) => {
		if (route) {
			try {
				const { plan, result } = await recorder.record(route);
				if (result instanceof Response && result.status !== 200) throw new Error(`answered ${result.status}`);
				how[name] = 'route';
				return plan;
			} catch (error) {
				console.log(`  (${name}: the route failed in-process: ${(error as Error).message}; using the query function)`);
			}
		}
		how[name] = 'query function';
		return (await recorder.record(fallback)).plan;
	};

	const board = await viaRoute(
		'board',
		boardRoute?.load ? () => boardRoute.load!(visitorEvent(`http://127.0.0.1/needs?${BOARD_QUERY}`, {}, '/(public)/needs')) : null,
		(db) => listBoard(visitor(db), Object.fromEntries(new URLSearchParams(BOARD_QUERY)))
	);
	const list = await viaRoute('list', listRoute?.GET ? () => listRoute.GET!(visitorEvent('http://127.0.0.1/api/v1/needs', {}, '/api/v1/needs')) : null, (db) =>
		listBoard(visitor(db), {})
	);
	const needs = new Map<number, CapturedPlan>();
	for (const id of popular) {
		needs.set(
			id,
			await viaRoute(
				'need',
				needRoute?.load ? () => needRoute.load!(visitorEvent(`http://127.0.0.1/needs/${id}`, { id }, '/(public)/needs/[id=id]')) : null,
				(db) => getNeedPage(visitor(db), id)
			)
		);
	}
	return { board, list, needs, how };
}

function writePlans(plans: Plans): string {
	const file = join(mkdtempSync(join(tmpdir(), 'caucus-bench-plans-')), 'plans.json');
	const byPath: Record<string, CapturedPlan> = { '/board': plans.board, '/list': plans.list };
	for (const [id, plan] of plans.needs) byPath[`/need/${id}`] = plan;
	writeFileSync(file, JSON.stringify(byPath));
	return file;
}

// ---------------------------------------------------------------------------------------------------
// Servers.

async function startBaseline(plansFile: string, env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }> {
	const baseline = await spawnListening(
		join(ROOT, 'bench', 'baseline-server.ts'),
		[],
		{ ...process.env, BASELINE_QUERIES: plansFile, BASELINE_POOL: String(POOL), DATABASE_URL: '', CAUCUS_DATA: '', ...env },
		/Baseline listening at (http:\/\/\S+)/,
		'The baseline'
	);
	return {
		url: baseline.url,
		async stop() {
			await baseline.stop();
			rmSync(dirname(plansFile), { recursive: true, force: true });
		}
	};
}

async function status(url: string): Promise<number> {
	try {
		const response = await fetch(url);
		await response.arrayBuffer();
		return response.status;
	} catch {
		return 0;
	}
}

// ---------------------------------------------------------------------------------------------------
// Load.

interface LoadResult {
	rps: number;
	p50: number;
	p99: number;
	requests: number;
	bad: number;
	statuses: string;
	/** How it was measured: requests completed in a fixed time, or the time for a fixed number of requests. */
	mode: string;
}

async function load(base: string, paths: string[], run: { seconds: number } | { amount: number }): Promise<LoadResult> {
	let i = 0;
	const result = await autocannon({
		url: base,
		connections: CONNECTIONS,
		...('amount' in run ? { amount: run.amount } : { duration: run.seconds }),
		timeout: 120,
		requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: paths[i++ % paths.length] }) }]
	});
	const statuses = Object.entries(result.statusCodeStats)
		.map(([code, { count }]) => `${code}×${count}`)
		.join(' ');
	return {
		rps: result.requests.total / result.duration,
		p50: result.latency.p50,
		p99: result.latency.p99,
		requests: result.requests.total,
		bad: result.non2xx + result.errors + result.timeouts,
		statuses,
		mode: 'amount' in run ? `${run.amount} requests in ${fmt(result.duration)} s` : `${result.requests.total} requests in ${run.seconds} s`
	};
}

/**
 * Waits until the server has worked off what a run left behind: autocannon stops at its deadline, the
 * server goes on with the requests in flight. One more request queues behind them.
 */
async function drain(base: string, path: string): Promise<void> {
	await fetch(`${base}${path}`)
		.then((response) => response.arrayBuffer())
		.catch(() => undefined);
}

async function measured(base: string, paths: string[]): Promise<LoadResult> {
	await load(base, paths, { seconds: WARMUP_SECONDS });
	await drain(base, paths[0]);
	let result = await load(base, paths, { seconds: LOAD_SECONDS });
	await drain(base, paths[0]);
	if (result.requests < 2 * CONNECTIONS) {
		// Fewer than two requests per connection in the window: requests outlive it and the count says little.
		// Measure the time a fixed number of requests takes instead.
		result = await load(base, paths, { amount: 2 * CONNECTIONS });
		await drain(base, paths[0]);
	}
	return result;
}

function describe(label: string, r: LoadResult) {
	const bad = r.bad ? `  !! ${r.bad} failed (${r.statuses})` : '';
	console.log(
		`  ${label.padEnd(34)} ${fmt(r.rps).padStart(8)} req/s   p50 ${fmt(r.p50).padStart(6)} ms   p99 ${fmt(r.p99).padStart(6)} ms   (${r.mode})${bad}`
	);
}

function reportPage(name: string, suffix: string, app: LoadResult, base: LoadResult) {
	const ratio = app.rps / base.rps;
	const note = `app ${fmt(app.rps)} req/s vs baseline ${fmt(base.rps)} req/s${app.bad ? `; ${app.bad} failed requests (${app.statuses})` : ''}`;
	report(`${name}.ratio${suffix}`, Number(ratio.toFixed(3)), 'x', note);
	report(`${name}.rps${suffix}`, Number(app.rps.toFixed(1)), 'req/s');
	report(`${name}.p50_ms${suffix}`, app.p50, 'ms');
	report(`${name}.p99_ms${suffix}`, app.p99, 'ms', `baseline p99 ${base.p99} ms`);
	report(`${name}.baseline_rps${suffix}`, Number(base.rps.toFixed(1)), 'req/s');
}

interface Scenario {
	name: 'board' | 'need' | 'list';
	app: string[];
	baseline: string[];
}

function scenarios(popular: number[]): Scenario[] {
	return [
		{ name: 'board', app: [`/needs?${BOARD_QUERY}`], baseline: ['/board'] },
		{ name: 'need', app: popular.map((id) => `/needs/${id}`), baseline: popular.map((id) => `/need/${id}`) },
		{ name: 'list', app: ['/api/v1/needs'], baseline: ['/list'] }
	];
}

// ---------------------------------------------------------------------------------------------------
// The JavaScript the board page loads.

const STATIC_IMPORT = /(?:^|[^.\w$])(?:import|export)\s*[^'"();=]*?["']([^"']+\.m?js)["']/g;

export async function pageJavaScript(appUrl: string, path = '/needs'): Promise<{ files: number; raw: number; gz: number; inlineGz: number } | null> {
	const response = await fetch(`${appUrl}${path}`);
	if (response.status !== 200) return null;
	const page = new URL(response.url); // after redirects: relative links resolve against the page served
	const html = await response.text();
	const queue: URL[] = [];
	const add = (href: string, base: URL) => queue.push(new URL(href.replaceAll('&amp;', '&'), base));
	for (const tag of html.match(/<link\b[^>]*>/g) ?? []) {
		if (/\brel=["']?modulepreload/.test(tag)) {
			const href = tag.match(/\bhref=["']([^"']+)["']/);
			if (href) add(href[1], page);
		}
	}
	let inline = '';
	for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)) {
		const src = match[1].match(/\bsrc=["']([^"']+)["']/);
		if (src) add(src[1], page);
		else if (!/type=["']application\/(ld\+)?json/.test(match[1])) {
			inline += match[2];
			for (const dynamic of match[2].matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) add(dynamic[1], page);
		}
	}
	const seen = new Set<string>();
	let raw = 0;
	let gz = 0;
	while (queue.length) {
		const url = queue.shift()!;
		if (seen.has(url.href)) continue;
		seen.add(url.href);
		const file = await fetch(url);
		if (!file.ok) throw new Error(`${url.href} answered ${file.status}`);
		const body = Buffer.from(await file.arrayBuffer());
		raw += body.length;
		gz += gzipSync(body).length;
		// Static imports are loaded with the module; dynamic import() only on navigation, so not followed.
		for (const m of body.toString('utf8').matchAll(STATIC_IMPORT)) queue.push(new URL(m[1], url));
	}
	return { files: seen.size, raw, gz, inlineGz: inline.trim() ? gzipSync(Buffer.from(inline)).length : 0 };
}

// ---------------------------------------------------------------------------------------------------
// Concurrent supports.

/** Needs a member of no group may support: readable, not hidden, and (for a duplicate) its target too. Most supported first. */
export async function supportableNeeds(db: Db): Promise<number[]> {
	const result = await sql<{ id: number }>`
		select n.id from need n
		left join "group" g on g.id = n.group_id
		left join need r on r.id = n.duplicate_of_id
		left join "group" rg on rg.id = r.group_id
		where n.hidden_at is null and (n.group_id is null or n.published_at is not null or g.visibility = 'open')
			and (r.id is null or (r.hidden_at is null and (r.group_id is null or r.published_at is not null or rg.visibility = 'open')))
		order by n.support_count desc, n.id`.execute(db);
	return result.rows.map((r) => Number(r.id));
}

/** Half the picks among the 100 most supported (contention on the same families), half uniform. */
function needPicker(ids: number[], seed: number) {
	const rand = prng(seed);
	const hot = ids.slice(0, 100);
	return {
		rand,
		next: () => (rand() < 0.5 ? hot[Math.floor(rand() * hot.length)] : ids[Math.floor(rand() * ids.length)])
	};
}

interface WriteResult {
	writes: number;
	seconds: number;
	p50: number;
	p99: number;
	failures: Record<string, number>;
}

/** `clients` loops for `seconds`, each supporting a random need or withdrawing one it supports (half and half). */
export async function writeLoop(
	clients: number,
	seconds: number,
	ids: number[],
	act: (client: number, method: 'PUT' | 'DELETE', needId: number) => Promise<number | string>
): Promise<WriteResult> {
	const latencies: number[] = [];
	const failures: Record<string, number> = {};
	let writes = 0;
	const started = performance.now();
	const deadline = started + seconds * 1000;
	await Promise.all(
		Array.from({ length: clients }, async (_, client) => {
			const { rand, next } = needPicker(ids, 1000 + client);
			const supported: number[] = [];
			while (performance.now() < deadline) {
				const withdraw = supported.length > 0 && rand() < 0.5;
				const index = withdraw ? Math.floor(rand() * supported.length) : -1;
				const needId = withdraw ? supported[index] : next();
				const t0 = performance.now();
				const outcome = await act(client, withdraw ? 'DELETE' : 'PUT', needId);
				latencies.push(performance.now() - t0);
				if (outcome === 200) {
					writes++;
					if (withdraw) supported.splice(index, 1);
					else if (!supported.includes(needId)) supported.push(needId);
				} else {
					failures[String(outcome)] = (failures[String(outcome)] ?? 0) + 1;
				}
			}
		})
	);
	const elapsed = (performance.now() - started) / 1000;
	return { writes, seconds: elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failures };
}

export function apiWriter(appUrl: string, writers: Writer[]) {
	const url = new URL(appUrl);
	const agents = writers.map(() => new http.Agent({ keepAlive: true, maxSockets: 1 }));
	/** The first answer of each failing status, to show what went wrong. */
	const samples = new Map<number, string>();
	const act = (client: number, method: 'PUT' | 'DELETE', needId: number) =>
		new Promise<number | string>((resolve) => {
			// A DELETE says it speaks JSON too: SvelteKit 3 refuses a mutating request without a Content-Type from
			// another origin as a cross-site form post (403), which is what a bare API client's DELETE looks like.
			const body = method === 'PUT' ? '{}' : '';
			const request = http.request(
				{
					host: url.hostname,
					port: url.port,
					method,
					path: `/api/v1/needs/${needId}/support`,
					agent: agents[client],
					headers: {
						authorization: `Bearer ${writers[client].token}`,
						'content-type': 'application/json',
						'content-length': String(Buffer.byteLength(body))
					}
				},
				(response) => {
					const code = response.statusCode ?? 0;
					let text = '';
					response.setEncoding('utf8');
					response.on('data', (chunk: string) => {
						if (code !== 200 && text.length < 500) text += chunk;
					});
					response.on('end', () => {
						if (code !== 200 && !samples.has(code)) samples.set(code, `${method} ${needId}: ${text}`);
						resolve(code);
					});
				}
			);
			request.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? 'error'));
			request.end(body);
		});
	return { act, samples, close: () => agents.forEach((a) => a.destroy()) };
}

/**
 * Whether the support endpoint is there. Also tells whether a bare API DELETE (bearer token, no body, no
 * Content-Type, as `curl -X DELETE` sends it) gets through, or is refused as a cross-site form post.
 */
async function probeSupportRoute(appUrl: string, token: string, needId: number): Promise<boolean> {
	const path = `${appUrl}/api/v1/needs/${needId}/support`;
	const bare = await fetch(path, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
	const bareText = await bare.text();
	if (bare.status !== 200)
		console.log(`  note: DELETE ${new URL(path).pathname} with a bearer token and no Content-Type answers ${bare.status}: ${bareText.slice(0, 120)}`);
	const json = await fetch(path, { method: 'DELETE', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
	await json.arrayBuffer();
	if (json.status !== 200) console.log(`  supports app: DELETE ${new URL(path).pathname} answers ${json.status}; not measured`);
	return json.status === 200;
}

type RawQuery = (text: string, values: unknown[]) => Promise<unknown>;

function rawWriter(query: RawQuery, writers: Writer[]) {
	return async (client: number, method: 'PUT' | 'DELETE', needId: number): Promise<number | string> => {
		try {
			if (method === 'PUT') {
				await query('insert into support (need_id, member_id, deployment_id, impact, created_at) values ($1, $2, null, null, now()) on conflict do nothing', [
					needId,
					writers[client].memberId
				]);
			} else {
				await query('delete from support where need_id = $1 and member_id = $2', [needId, writers[client].memberId]);
			}
			return 200;
		} catch (error) {
			return (error as { code?: string }).code ?? 'error';
		}
	};
}

function describeWrites(label: string, r: WriteResult) {
	const failed = Object.entries(r.failures);
	console.log(
		`  ${label.padEnd(34)} ${fmt(r.writes / r.seconds).padStart(8)} writes/s p50 ${fmt(r.p50).padStart(6)} ms   p99 ${fmt(r.p99).padStart(6)} ms` +
			(failed.length ? `  !! failed: ${failed.map(([k, v]) => `${k}×${v}`).join(' ')}` : '')
	);
}

async function checkCounts(db: Db) {
	return checkFacts(db);
}

// ---------------------------------------------------------------------------------------------------
// The board's other sorts and filters, timed in-process (listBoard as a visitor; median of 5 after one
// warm-up): not under load, but it shows which sort or filter has a slow plan.

export async function boardVariants(db: Db, suffix: string): Promise<void> {
	const ctx: Ctx = { db, actor: null, now: systemClock };
	const group = await db.selectFrom('group').select('slug').where('visibility', '=', 'open').orderBy('id').executeTakeFirst();
	const first = await listBoard(ctx, { sort: 'top' });
	const variants: Record<string, Record<string, string>> = {
		top_bug: { sort: 'top', kind: 'bug' },
		top_page2: { sort: 'top', cursor: first.nextCursor ?? '' },
		new: { sort: 'new' },
		updated: { sort: 'updated' },
		trending: { sort: 'trending' },
		open: { status: 'open' },
		component: { component: 'nova' },
		release: { release: '2024.1' },
		tag: { tag: 'ovn' },
		segment: { segment: 'operator' },
		search: { q: 'live migration' },
		// Part of a word, a misspelt word, a word in every description (relevance then ranks them all), a search kept in another sort.
		search_prefix: { q: 'rabbit' },
		search_typo: { q: 'migraton' },
		search_broad: { q: 'upgrade' },
		search_top: { q: 'live migration', sort: 'top' },
		...(group ? { group: { group: group.slug } } : {})
	};
	const shown: string[] = [];
	for (const [name, input] of Object.entries(variants)) {
		await listBoard(ctx, input);
		const times: number[] = [];
		for (let i = 0; i < 5; i++) {
			const t0 = performance.now();
			await listBoard(ctx, input);
			times.push(performance.now() - t0);
		}
		const ms = median(times);
		shown.push(`${name} ${fmt(ms)}`);
		report(`board.query_ms.${name}${suffix}`, Number(ms.toFixed(1)), 'ms');
	}
	console.log(`  listBoard in-process, median ms: ${shown.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------------
// Similar needs.

export async function similarLatencies(db: Db, label: string): Promise<{ p50: number; p95: number; hits: number }> {
	const rand = prng(4242);
	const titles = Array.from({ length: SIMILAR_TITLES }, () => partialTitle(rand));
	const ctx: Ctx = { db, actor: null, now: systemClock };
	for (const title of titles.slice(0, 20)) await similarNeeds(ctx, title, { limit: 5 });
	const times: number[] = [];
	let hits = 0;
	for (const title of titles) {
		const t0 = performance.now();
		const found = await similarNeeds(ctx, title, { limit: 5 });
		times.push(performance.now() - t0);
		if (found.length) hits++;
	}
	const p50 = percentile(times, 50);
	const p95 = percentile(times, 95);
	console.log(
		`  similarNeeds ${label}: ${titles.length} partly typed titles (e.g. "${titles[0]}"): p50 ${fmt(p50, 2)} ms, p95 ${fmt(p95, 2)} ms, max ${fmt(Math.max(...times), 1)} ms; ${hits} with suggestions`
	);
	return { p50, p95, hits };
}

export async function explainPlans(pool: pg.Pool, plans: Plans, popular: number[], recorder: QueryRecorder) {
	const title = partialTitle(prng(4242));
	const similar = (await recorder.record((db) => similarNeeds({ db, actor: null, now: systemClock }, title, { limit: 5 }))).plan;
	const named: [string, CapturedPlan][] = [
		['board', plans.board],
		['list', plans.list],
		[`need ${popular[0]}`, plans.needs.get(popular[0])!],
		[`similar "${title}"`, similar]
	];
	for (const [name, plan] of named) {
		for (const q of plan.waves.flat()) {
			if (!/^\s*(with|select)/i.test(q.sql)) continue;
			const result = await pool.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${q.sql}`, q.parameters);
			console.log(`\n  EXPLAIN (${name}) ${q.sql.replace(/\s+/g, ' ').slice(0, 160)}…\n${result.rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n')}`);
		}
	}
}

// ---------------------------------------------------------------------------------------------------

export async function popularNeeds(db: Db): Promise<number[]> {
	const result = await sql<{ id: number }>`
		select n.id from need n left join "group" g on g.id = n.group_id
		where n.status <> 'duplicate' and n.hidden_at is null and (n.group_id is null or n.published_at is not null or g.visibility = 'open')
		order by n.support_count desc, n.id desc limit ${POPULAR_NEEDS}`.execute(db);
	return result.rows.map((r) => Number(r.id));
}

function describeSeed(label: string, sizes: NeedsBoardSizes, seconds: Record<string, number>) {
	const total = Object.values(seconds).reduce((a, b) => a + b, 0);
	console.log(
		`  seeded ${label}: ${sizes.members} members, ${sizes.groups} groups, ${sizes.needs} needs, ${sizes.supports} supports in ${fmt(total, 0)} s (` +
			Object.entries(seconds)
				.map(([k, v]) => `${k} ${fmt(v, 1)}`)
				.join(', ') +
			')'
	);
}

async function pageLoads(
	suffix: string,
	appUrl: string | null,
	baselineUrl: string,
	popular: number[],
	results: Map<string, { app?: LoadResult; base?: LoadResult }>,
	side: 'app' | 'base'
) {
	for (const s of scenarios(popular)) {
		const entry = results.get(s.name) ?? {};
		results.set(s.name, entry);
		if (side === 'base') {
			entry.base = await measured(baselineUrl, s.baseline);
			describe(`${s.name} baseline${suffix}`, entry.base);
		} else if (appUrl) {
			const probe = await status(`${appUrl}${s.app[0]}`);
			if (probe !== 200) {
				console.log(`  ${s.name} app${suffix}: ${s.app[0]} answers ${probe}; not measured (is the route built?)`);
				continue;
			}
			entry.app = await measured(appUrl, s.app);
			describe(`${s.name} app${suffix}`, entry.app);
		}
	}
}

function reportPages(suffix: string, results: Map<string, { app?: LoadResult; base?: LoadResult }>) {
	for (const [name, { app, base }] of results) if (app && base) reportPage(name, suffix, app, base);
}

/**
 * Drops the benchmark database once this process's pools have let go of it: a pool's end() resolves
 * before its sockets are closed, and a forced drop would then hit a closing client with an error event.
 */
async function dropWhenIdle(serverUrl: string, name: string) {
	const client = new pg.Client({ connectionString: serverUrl });
	await client.connect();
	try {
		for (let i = 0; i < 100; i++) {
			const { rows } = await client.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [name]);
			if (rows[0].n === 0) break;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	} finally {
		await client.end();
	}
	await dropPostgresDatabase(serverUrl, name);
}

async function runPostgres(serverUrl: string) {
	const sizes = sizesAt(SCALE);
	section(`needs on PostgreSQL: ${sizes.needs} needs, ${sizes.supports} supports, ${sizes.members} members, ${sizes.groups} groups`);
	const url = await freshPostgresDatabase(serverUrl, DB_NAME);
	const database = await openDatabase({ kind: 'postgres', url }, { poolSize: POOL });
	const pool = new pg.Pool({ connectionString: url, max: POOL });
	pool.on('error', () => {}); // an idle client closed under us (the database is being dropped) is no failure
	let app: RunningServer | null = null;
	let baseline: { url: string; stop(): Promise<void> } | null = null;
	try {
		await migrate(database.db);
		const seeded = await seedNeedsBoard(database.db, sizes);
		describeSeed('PostgreSQL', sizes, seeded.seconds);
		const writers = await seedWriters(database.db, WRITERS, 'writer');
		const rawWriters = await seedWriters(database.db, WRITERS, 'rawwriter');
		await sql`analyze member`.execute(database.db);
		const seedCheck = await checkCounts(database.db);
		if (seedCheck.lost || seedCheck.double || seedCheck.otherFacts) throw new Error(`Seeding left inexact counts: ${JSON.stringify(seedCheck)}`);

		const similar = await similarLatencies(database.db, `at ${sizes.needs} needs`);
		report('similar.p50_ms', Number(similar.p50.toFixed(2)), 'ms');
		report('similar.p95_ms', Number(similar.p95.toFixed(2)), 'ms', `${SIMILAR_TITLES} partial titles, ${sizes.needs} needs, target < 30 ms`);

		await boardVariants(database.db, '');
		const popular = await popularNeeds(database.db);
		const recorder = QueryRecorder.forPool(pool);
		const plans = await capturePlans(recorder, popular);
		const needQueries = [...plans.needs.values()].map((p) => p.queries);
		console.log(
			`  captured the app's SQL (${Object.entries(plans.how)
				.map(([k, v]) => `${k}: ${v}`)
				.join(
					', '
				)}): board ${plans.board.queries} queries in ${plans.board.waves.length} waves, need page ${median(needQueries)} queries in ${plans.needs.get(popular[0])!.waves.length} waves, list ${plans.list.queries} queries`
		);
		if (process.env.BENCH_EXPLAIN) await explainPlans(pool, plans, popular, recorder);

		baseline = await startBaseline(writePlans(plans), { DATABASE_URL: url });
		app = await startServer({ DATABASE_URL: url });
		console.log(
			`  load: autocannon, ${CONNECTIONS} connections, ${LOAD_SECONDS} s each after ${WARMUP_SECONDS} s warm-up; app ${app.url} (${availableParallelism()} CPUs: CAUCUS_WORKERS ${process.env.CAUCUS_WORKERS ?? 'default'}), baseline ${baseline.url}`
		);
		const results = new Map<string, { app?: LoadResult; base?: LoadResult }>();
		// Interleaved per page: baseline, then the app, so both see the same cache state.
		for (const s of scenarios(popular)) {
			const entry: { app?: LoadResult; base?: LoadResult } = {};
			results.set(s.name, entry);
			entry.base = await measured(baseline.url, s.baseline);
			describe(`${s.name} baseline (node:http + pg)`, entry.base);
			const probe = await status(`${app.url}${s.app[0]}`);
			if (probe !== 200) {
				console.log(`  ${s.name} app: ${s.app[0]} answers ${probe}; not measured (is the route built?)`);
				continue;
			}
			entry.app = await measured(app.url, s.app);
			describe(`${s.name} app`, entry.app);
		}
		reportPages('', results);

		// The app above runs as `caucus serve` does on PostgreSQL: one HTTP worker per CPU (CAUCUS_WORKERS),
		// against a baseline of one process. The board once more with a single process, for comparison.
		const single = await startServer({ DATABASE_URL: url, CAUCUS_WORKERS: '1' });
		try {
			const board = results.get('board');
			if (board?.base) {
				const one = await measured(single.url, [`/needs?${BOARD_QUERY}`]);
				describe('board app, one process', one);
				report('board.ratio.one_process', Number((one.rps / board.base.rps).toFixed(3)), 'x', `CAUCUS_WORKERS=1: ${fmt(one.rps)} req/s, p99 ${one.p99} ms`);
			}
		} finally {
			await single.stop();
		}

		const js = await pageJavaScript(app.url, '/needs');
		if (js) {
			console.log(
				`  board page JavaScript: ${js.files} files, ${fmt(js.raw / 1024)} KB raw, ${fmt(js.gz / 1024)} KB gzipped (+ ${fmt(js.inlineGz / 1024, 2)} KB inline)`
			);
			report('board.js_gz_kb', Number((js.gz / 1024).toFixed(1)), 'KB', `${js.files} files, target < 40 KB`);
		} else console.log('  board page JavaScript: /needs does not answer 200; not measured');

		// Concurrent supports: the raw loop first (its rows are removed again), then the API.
		const ids = await supportableNeeds(database.db);
		const raw = await writeLoop(
			WRITERS,
			WRITE_SECONDS,
			ids,
			rawWriter((text, values) => pool.query(text, values), rawWriters)
		);
		describeWrites(`raw INSERT/DELETE (pg, pool ${POOL})`, raw);
		await sql`delete from support where member_id in (${sql.join(rawWriters.map((w) => w.memberId))})`.execute(database.db);
		if (await probeSupportRoute(app.url, writers[0].token, ids[0])) {
			const client = apiWriter(app.url, writers);
			const api = await writeLoop(WRITERS, WRITE_SECONDS, ids, client.act);
			client.close();
			describeWrites(`app PUT/DELETE support (${WRITERS} clients)`, api);
			for (const [code, text] of client.samples) console.log(`    first ${code}: ${text.slice(0, 300)}`);
			const check = await checkCounts(database.db);
			console.log(
				`  counts after the run: ${check.checked} needs checked, support_count ${check.lost} lower than the rows, ${check.double} higher; other stored facts (organizations, deployments, sizes, segments) off on ${check.otherFacts}`
			);
			report(
				'supports.ratio',
				Number((api.writes / api.seconds / (raw.writes / raw.seconds)).toFixed(3)),
				'x',
				`app ${fmt(api.writes / api.seconds)} writes/s vs raw ${fmt(raw.writes / raw.seconds)} writes/s; target >= 0.5`
			);
			report('supports.writes_per_s', Number((api.writes / api.seconds).toFixed(1)), 'writes/s', `p99 ${fmt(api.p99)} ms`);
			report(
				'supports.failed',
				Object.values(api.failures).reduce((a, b) => a + b, 0),
				'requests',
				JSON.stringify(api.failures)
			);
			report('supports.lost', check.lost, 'needs');
			report('supports.double', check.double, 'needs');
			report('supports.facts_off', check.otherFacts, 'needs', 'stored organization, deployment and segment counts and sizes that differ from the rows');
		}
	} finally {
		await app?.stop();
		await baseline?.stop();
		await pool.end();
		await database.close();
		if (!process.env.BENCH_KEEP_DB) await dropWhenIdle(serverUrl, DB_NAME);
		else console.log(`  kept the database ${DB_NAME} (BENCH_KEEP_DB)`);
	}
}

async function runPglite() {
	const sizes = sizesAt(SCALE / 10);
	section(`needs on PGlite (embedded): ${sizes.needs} needs, ${sizes.supports} supports, ${sizes.members} members, ${sizes.groups} groups`);
	const dataDir = mkdtempSync(join(tmpdir(), 'caucus-bench-needs-'));
	let pglite: PGlite | null = await openPglite(dataDir);
	const db = new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) });
	const closeDb = async () => {
		if (!pglite) return;
		await pglite.close();
		pglite = null;
	};
	try {
		await migrate(db);
		const seeded = await seedNeedsBoard(db, sizes);
		describeSeed('PGlite', sizes, seeded.seconds);
		const seedCheck = await checkCounts(db);
		if (seedCheck.lost || seedCheck.double || seedCheck.otherFacts) throw new Error(`Seeding left inexact counts: ${JSON.stringify(seedCheck)}`);
		const writers = await seedWriters(db, WRITERS, 'writer');
		const rawWriters = await seedWriters(db, WRITERS, 'rawwriter');

		const similar = await similarLatencies(db, `at ${sizes.needs} needs`);
		report('similar.p50_ms.pglite', Number(similar.p50.toFixed(2)), 'ms');
		report('similar.p95_ms.pglite', Number(similar.p95.toFixed(2)), 'ms', `${sizes.needs} needs`);

		await boardVariants(db, '.pglite');
		const popular = await popularNeeds(db);
		const plans = await capturePlans(QueryRecorder.forPglite(pglite!), popular);
		const ids = await supportableNeeds(db);

		// The raw write loop runs here, on the same embedded database, before the server takes it over.
		const open = pglite!;
		const raw = await writeLoop(
			WRITERS,
			WRITE_SECONDS,
			ids,
			rawWriter((text, values) => open.query(text, values), rawWriters)
		);
		describeWrites('raw INSERT/DELETE (PGlite in-process)', raw);
		await sql`delete from support where member_id in (${sql.join(rawWriters.map((w) => w.memberId))})`.execute(db);
		await closeDb();

		// One process at a time holds an embedded database: the baseline first, then the app.
		const results = new Map<string, { app?: LoadResult; base?: LoadResult }>();
		const baseline = await startBaseline(writePlans(plans), { CAUCUS_DATA: dataDir });
		try {
			await pageLoads('.pglite', null, baseline.url, popular, results, 'base');
		} finally {
			await baseline.stop();
		}
		const app = await startServer({ DATABASE_URL: '' }, { dataDir });
		try {
			await pageLoads('.pglite', app.url, '', popular, results, 'app');
			reportPages('.pglite', results);
			if (await probeSupportRoute(app.url, writers[0].token, ids[0])) {
				const client = apiWriter(app.url, writers);
				const api = await writeLoop(WRITERS, WRITE_SECONDS, ids, client.act);
				client.close();
				describeWrites(`app PUT/DELETE support (${WRITERS} clients)`, api);
				for (const [code, text] of client.samples) console.log(`    first ${code}: ${text.slice(0, 300)}`);
				report(
					'supports.ratio.pglite',
					Number((api.writes / api.seconds / (raw.writes / raw.seconds)).toFixed(3)),
					'x',
					`app ${fmt(api.writes / api.seconds)} vs raw ${fmt(raw.writes / raw.seconds)} writes/s`
				);
				report(
					'supports.failed.pglite',
					Object.values(api.failures).reduce((a, b) => a + b, 0),
					'requests',
					JSON.stringify(api.failures)
				);
			}
		} finally {
			await app.stop();
		}
		// The counts, checked on the embedded database once the server let go of it.
		pglite = await openPglite(dataDir);
		const check = await checkCounts(new Kysely<Database>({ dialect: new PGliteDialect({ pglite }) }));
		console.log(
			`  counts after the run: ${check.checked} needs checked, support_count ${check.lost} lower than the rows, ${check.double} higher; other stored facts off on ${check.otherFacts}`
		);
		report('supports.lost.pglite', check.lost, 'needs');
		report('supports.double.pglite', check.double, 'needs');
		report('supports.facts_off.pglite', check.otherFacts, 'needs');
	} finally {
		await closeDb();
		rmSync(dataDir, { recursive: true, force: true });
	}
}

export async function run(): Promise<void> {
	// BENCH_NEEDS_PART=postgres or =pglite runs one half only (for development).
	const part = process.env.BENCH_NEEDS_PART ?? '';
	if (part !== 'pglite') {
		const server = await postgresServerUrl();
		if (server) await runPostgres(server);
	}
	if (part !== 'postgres') await runPglite();
}
