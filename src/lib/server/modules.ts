/*
 * The composition root: the one place that lists the modules. The server (hooks.server.ts), the
 * `caucus` command, the job worker, the tests and the benchmarks all start from here, and nothing is
 * wired by being imported: `installModules()` registers the modules' jobs and hooks, explicitly.
 *
 * Adding a module: write it under modules/<name>/ with a `manifest` in its index.ts, import it here and
 * add it to `listed` below (its tables join `Database` through the manifest), and add its route files.
 * See docs/architecture.md.
 */
import type { Migration } from 'kysely/migration';
import { manifest as members } from './modules/members/index.ts';
import { manifest as groups } from './modules/groups/index.ts';
import { manifest as needs } from './modules/needs/index.ts';
import { manifest as cycles } from './modules/cycles/index.ts';
import { manifest as priorities } from './modules/priorities/index.ts';
import { manifest as handoff } from './modules/handoff/index.ts';
import { manifest as champions } from './modules/champions/index.ts';
import type { Db } from './platform/db/database.ts';
import { platformMigrations } from './platform/db/migrations.ts';
import { migrateToLatest } from './platform/db/migrator.ts';
import { onMemberEvidenceChanged } from './platform/hooks.ts';
import type { Operation } from './platform/http/api.ts';
import { notificationsOperations } from './platform/notifications.api.ts';
import { registerJob } from './platform/jobs/jobs.ts';
import { collectMigrations, type ModuleManifest, type NavigationEntry, type TablesOfModules } from './platform/module.ts';

/** Every module, in the order their demo seeds run and their API operations are listed. */
const listed = [members, groups, needs, cycles, priorities, handoff, champions] as const;
export const modules: readonly ModuleManifest[] = listed;

/** The whole database as Kysely sees it: the platform's tables and every module's (their manifests' `tables`). */
type ModuleTables = TablesOfModules<typeof listed>;
declare module './platform/db/schema.ts' {
	// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging adds the modules' tables
	interface Database extends ModuleTables {}
}

export const migrations: Record<string, Migration> = collectMigrations(platformMigrations, modules);

/** Applies every pending migration, the platform's and the modules'. */
export const migrate = (db: Db) => migrateToLatest(db, migrations);

/** Every operation of the JSON API, in the order the OpenAPI document lists them: the platform's own, then each module's. */
export const operations: readonly Operation[] = [...notificationsOperations, ...modules.flatMap((module) => module.operations ?? [])];

/** The main navigation, from every module's entries. */
export const navigation: readonly NavigationEntry[] = modules.flatMap((module) => module.navigation ?? []).sort((a, b) => a.order - b.order);

/** Every module's `caucus` subcommands. */
export const commands = modules.flatMap((module) => module.commands ?? []);

let installed = false;

/**
 * Registers every module's job kinds and platform hooks. The server, the CLI, the worker and the test
 * database call it before anything runs; calling it again does nothing.
 */
export function installModules(): void {
	if (installed) return;
	installed = true;
	for (const module of modules) {
		for (const [kind, job] of Object.entries(module.jobs ?? {})) registerJob(kind, job.handler, job);
		if (module.hooks?.memberEvidenceChanged) onMemberEvidenceChanged(module.name, module.hooks.memberEvidenceChanged);
	}
}
