import {
	Kysely,
	PGliteDialect,
	PostgresDialect,
	type AbortableOperationOptions,
	type CompiledQuery,
	type DatabaseConnection,
	type Dialect,
	type Driver
} from 'kysely';
import type { PGlite } from '@electric-sql/pglite';
import type pg from 'pg';
import type { Database, Db } from '#lib/server/platform/db/database.ts';
import { adoptDatabase } from '#lib/server/platform/runtime.ts';

/*
 * "The same SQL the app runs", for the baseline. Method: the app's own route code (the page's `load`, the
 * endpoint's `GET`) is imported and called in this process with the runtime's database swapped for a
 * recording Kysely instance: its dialect is the real one (pg or PGlite) wrapped so that every compiled
 * query a connection executes (`sql` and `parameters`, exactly what goes to the driver) is recorded with
 * the time it was issued (when its connection was asked for, or when the previous query on the
 * connection returned) and the time it returned. The baseline server replays those statements with
 * their parameters through `pg`.
 *
 * Queries the route ran concurrently (Promise.all) are kept together: a query issued before any query
 * of the current wave had returned joins that wave; the baseline runs a wave's queries concurrently and
 * the waves one after the other, as the app did.
 */

export interface CapturedQuery {
	sql: string;
	parameters: unknown[];
}

export interface CapturedPlan {
	waves: CapturedQuery[][];
	queries: number;
}

interface Timed extends CapturedQuery {
	start: number;
	end: number;
}

export function toWaves(timed: Timed[]): CapturedQuery[][] {
	const sorted = [...timed].sort((a, b) => a.start - b.start);
	const waves: Timed[][] = [];
	for (const q of sorted) {
		const current = waves.at(-1);
		if (current && q.start < Math.min(...current.map((c) => c.end))) current.push(q);
		else waves.push([q]);
	}
	return waves.map((wave) => wave.map(({ sql, parameters }) => ({ sql, parameters: parameters.map(plain) })));
}

/** Parameters as JSON can carry them: dates as ISO strings (what pg sends for a Date anyway). */
function plain(value: unknown): unknown {
	if (value instanceof Date) return value.toISOString();
	if (Array.isArray(value)) return value.map(plain);
	return value;
}

/** The dialect, with every query its connections execute reported to `sink`. */
function recordingDialect(inner: Dialect, sink: (query: Timed) => void): Dialect {
	return {
		createAdapter: () => inner.createAdapter(),
		createQueryCompiler: () => inner.createQueryCompiler(),
		createIntrospector: (db) => inner.createIntrospector(db),
		createDriver: (): Driver => {
			const driver = inner.createDriver();
			const originals = new WeakMap<DatabaseConnection, DatabaseConnection>();
			const original = (connection: DatabaseConnection) => originals.get(connection) ?? connection;
			return {
				init: (options) => driver.init(options),
				async acquireConnection(options) {
					let issued = performance.now();
					const connection = await driver.acquireConnection(options);
					const recording: DatabaseConnection = {
						async executeQuery<R>(compiled: CompiledQuery, options?: AbortableOperationOptions) {
							const start = issued;
							const result = await connection.executeQuery<R>(compiled, options);
							const end = performance.now();
							issued = end;
							sink({ sql: compiled.sql, parameters: [...compiled.parameters], start, end });
							return result;
						},
						streamQuery: (compiled, chunkSize) => connection.streamQuery(compiled, chunkSize)
					};
					originals.set(recording, connection);
					return recording;
				},
				// Transaction statements go through the recording connection, so begin and commit are replayed too.
				beginTransaction: (connection, settings) => driver.beginTransaction(connection, settings),
				commitTransaction: (connection) => driver.commitTransaction(connection),
				rollbackTransaction: (connection) => driver.rollbackTransaction(connection),
				savepoint: driver.savepoint && ((connection, name, compile) => driver.savepoint!(connection, name, compile)),
				rollbackToSavepoint: driver.rollbackToSavepoint && ((connection, name, compile) => driver.rollbackToSavepoint!(connection, name, compile)),
				releaseSavepoint: driver.releaseSavepoint && ((connection, name, compile) => driver.releaseSavepoint!(connection, name, compile)),
				releaseConnection: (connection, options) => driver.releaseConnection(original(connection), options),
				destroy: (options) => driver.destroy(options)
			};
		}
	};
}

export class QueryRecorder {
	private timed: Timed[] = [];
	readonly db: Db;
	private readonly kind: 'postgres' | 'pglite';
	constructor(dialect: Dialect, kind: 'postgres' | 'pglite') {
		this.kind = kind;
		this.db = new Kysely<Database>({ dialect: recordingDialect(dialect, (query) => this.timed.push(query)) });
	}

	static forPool(pool: pg.Pool): QueryRecorder {
		return new QueryRecorder(new PostgresDialect({ pool }), 'postgres');
	}

	static forPglite(pglite: PGlite): QueryRecorder {
		return new QueryRecorder(new PGliteDialect({ pglite }), 'pglite');
	}

	/** Runs `work` with the runtime's database being the recorder's, and returns what it ran. */
	async record<T>(work: (db: Db) => Promise<T>): Promise<{ plan: CapturedPlan; result: T }> {
		this.timed = [];
		adoptDatabase({ db: this.db, kind: this.kind, close: async () => {} });
		const result = await work(this.db);
		const plan = { waves: toWaves(this.timed), queries: this.timed.length };
		this.timed = [];
		return { plan, result };
	}
}

const quietLog = {
	info() {},
	warn() {},
	error() {},
	debug() {},
	trace() {},
	fatal() {},
	child() {
		return quietLog;
	}
};

/** A minimal SvelteKit RequestEvent for a visitor (no session), enough for `load` functions and `endpoint()` handlers. */
export function visitorEvent(url: string, params: Record<string, string | number> = {}, routeId = '') {
	const u = new URL(url);
	return {
		url: u,
		params,
		route: { id: routeId },
		request: new Request(u),
		locals: { actor: null, sessionToken: null, requestId: 'bench', log: quietLog },
		cookies: { get: () => undefined, getAll: () => [], set() {}, delete() {}, serialize: () => '' },
		fetch: globalThis.fetch,
		getClientAddress: () => '127.0.0.1',
		platform: undefined,
		isDataRequest: false,
		isSubRequest: false,
		isRemoteRequest: false,
		setHeaders() {},
		depends() {},
		untrack: <T>(fn: () => T) => fn(),
		tracing: { enabled: false },
		parent: async () => ({ actor: null, siteName: 'Caucus' })
	};
}
