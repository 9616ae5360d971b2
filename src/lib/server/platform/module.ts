import type { Migration } from 'kysely/migration';
import type { Ctx } from './context.ts';
import type { OpenDatabase } from './db/database.ts';
import type { MemberEvidenceHook } from './hooks.ts';
import type { Operation } from './http/api.ts';
import type { JobHandler } from './jobs/jobs.ts';

/*
 * What a module brings, said once in its index.ts (`export const manifest = defineModule({...})`) and
 * wired by the composition root (src/lib/server/modules.ts), the one file that lists the modules. Nothing
 * here imports a module: the kernel knows the shape of a manifest, never a particular one.
 */

/** A kind of background job and how the worker treats it. */
export interface JobKind {
	handler: JobHandler;
	/** Recurring: one instance is kept queued, `every` ms after the last. */
	every?: number;
	leaseMs?: number;
	maxAttempts?: number;
}

/** A link in the site's main navigation. */
export interface NavigationEntry {
	href: string;
	label: string;
	/** Position among every module's entries, smallest first. */
	order: number;
	/** Who sees it; everyone unless said. */
	audience?: 'everyone' | 'admin';
}

/** Someone the demo seed made, as the seeds after it need them. */
export interface DemoMember {
	id: number;
	handle: string;
	email: string;
	displayName: string;
	isAdmin: boolean;
}

/**
 * What the demo seeds build together, module after module in the composition root's order: the members
 * module adds the administrator and members, groups adds the groups, and later seeds use both.
 */
export interface DemoWorld {
	ctx: Ctx;
	/**
	 * The context of a member acting, now or at `at`: seeds pass time this way, so the demo's history spreads
	 * over months (members join, needs are filed, supported, discussed, triaged, ranked and handed upstream in
	 * order) instead of all happening in the second the seed ran. `at` must not be in the future.
	 */
	as(member: DemoMember, at?: Date): Ctx;
	/** The same moment `days` days (fractions allowed) before the seed started. */
	daysAgo(days: number): Date;
	admin: DemoMember | null;
	members: DemoMember[];
	/** Each group with its members, its chair first and a moderator second. */
	groups: { id: number; slug: string; name: string; visibility: string; members: DemoMember[] }[];
	/** Prints a progress line or bar; seeds say what they are doing. */
	progress(step: string, total: number): { tick(): void; done(): void };
}

/** A `caucus` subcommand a module brings; the CLI builds commander commands from these. */
export interface CliCommand {
	/** Words after `caucus`, e.g. ['priorities', 'export']. */
	path: readonly string[];
	description: string;
	/** Positional arguments as commander writes them, e.g. '<list>'. */
	arguments?: readonly { name: string; description?: string }[];
	options?: readonly { flags: string; description: string; default?: string }[];
	/** Runs with the positional arguments in order and the options object. */
	run(cli: CliContext, args: string[], options: Record<string, unknown>): Promise<void>;
	/** The group's description, when this is the first command under a new word. */
	groupDescription?: string;
}

/** What the CLI hands a module's command: the configured database, opened and migrated. */
export interface CliContext {
	withDatabase<T>(work: (database: OpenDatabase, ctx: Ctx) => Promise<T>): Promise<T>;
	/**
	 * The address of the server that holds the embedded database, when one runs: a read-only command asks it
	 * through the API instead of waiting for the database (which one process opens at a time). Null otherwise.
	 */
	runningServer(): string | null;
}

export interface ModuleManifest<Tables = unknown> {
	/** The module's folder name. */
	name: string;
	/**
	 * Its tables, for the type system only (`tables: tablesOf<NeedsTables>()`): the composition root joins
	 * every module's into the `Database` type. Nothing reads it at run time.
	 */
	tables: Tables;
	/** Its migrations, by name; names start with a timestamp, so every module's apply in the order they were written. */
	migrations: Record<string, Migration>;
	/** Its JSON API operations, in the order the OpenAPI document lists them. */
	operations?: readonly Operation[];
	/** Its background jobs, by kind. */
	jobs?: Record<string, JobKind>;
	/** The platform hooks it subscribes to. */
	hooks?: { memberEvidenceChanged?: MemberEvidenceHook };
	/** Its part of `caucus seed --demo`; loaded only when seeding. */
	demoSeed?: () => Promise<(world: DemoWorld) => Promise<void>>;
	/** Its test-data builders; loaded only by tests and benchmarks. */
	factories?: () => Promise<Record<string, unknown>>;
	/** Its entries in the main navigation. */
	navigation?: readonly NavigationEntry[];
	/** Its `caucus` subcommands. */
	commands?: readonly CliCommand[];
}

/** Checks a manifest's shape where it is written. */
export const defineModule = <Tables, M extends ModuleManifest<Tables>>(manifest: M & ModuleManifest<Tables>): M => manifest;

/** The `tables` of a manifest: a type, carried by a value that is never read. */
export const tablesOf = <Tables>(): Tables => ({}) as Tables;

/** Every module's tables in one type: the intersection of the manifests' `tables`. */
export type TablesOfModules<Modules extends readonly ModuleManifest<unknown>[]> = (
	Modules[number] extends infer M ? (M extends ModuleManifest<infer T> ? (x: T) => void : never) : never
) extends (x: infer All) => void
	? All
	: never;

/** The platform's and every module's migrations in one record; a name given twice is a mistake caught at start. */
export function collectMigrations(platform: Record<string, Migration>, modules: readonly ModuleManifest[]): Record<string, Migration> {
	const all: Record<string, Migration> = { ...platform };
	for (const module of modules) {
		for (const [name, migration] of Object.entries(module.migrations)) {
			if (name in all) throw new Error(`Migration ${name} is listed twice (module ${module.name}).`);
			all[name] = migration;
		}
	}
	return Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
}
