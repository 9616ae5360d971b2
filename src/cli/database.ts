import { config } from '#lib/server/platform/config.ts';
import { systemClock, type Ctx } from '#lib/server/platform/context.ts';
import { openDatabase, type OpenDatabase } from '#lib/server/platform/db/database.ts';
import { runningServerOf } from '#lib/server/platform/db/lock.ts';
import { installModules, migrate } from '#lib/server/modules.ts';

/** Opens the configured database, migrated, for one CLI command, and closes it afterwards. */
export async function withDatabase<T>(work: (database: OpenDatabase, ctx: Ctx) => Promise<T>): Promise<T> {
	installModules();
	const database = await openDatabase(config().database);
	try {
		await migrate(database.db);
		return await work(database, { db: database.db, actor: null, now: systemClock });
	} finally {
		await database.close();
	}
}

/** The server holding the configured embedded database, if one runs (see CliContext.runningServer). */
export function runningServer(): string | null {
	const database = config().database;
	return database.kind === 'pglite' ? runningServerOf(database.dataDir) : null;
}
