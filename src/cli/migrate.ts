import { config } from '#lib/server/platform/config.ts';
import { openDatabase } from '#lib/server/platform/db/database.ts';
import { migrate as migrateDatabase } from '#lib/server/modules.ts';

export async function migrate(): Promise<void> {
	const database = await openDatabase(config().database);
	try {
		const result = await migrateDatabase(database.db);
		const applied = result.results?.filter((r) => r.status === 'Success') ?? [];
		console.log(applied.length ? `Applied ${applied.map((r) => r.migrationName).join(', ')}.` : 'The database is up to date.');
	} finally {
		await database.close();
	}
}
