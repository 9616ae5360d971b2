import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely/migration';
import type { Db } from './database.ts';

/** Migrations are listed in code, not discovered on disk, so the built server and the CLI apply the same set. */
const listed = (migrations: Record<string, Migration>): MigrationProvider => ({ getMigrations: async () => migrations });

/** Applies the pending ones of `migrations` (the composition root's `migrations`: the platform's and every module's). */
export async function migrateToLatest(db: Db, migrations: Record<string, Migration>): Promise<MigrationResultSet> {
	const migrator = new Migrator({ db, provider: listed(migrations) });
	const result = await migrator.migrateToLatest();
	if (result.error) {
		const failed = result.results?.find((r) => r.status === 'Error');
		throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed: ${String(result.error)}`, { cause: result.error });
	}
	return result;
}
