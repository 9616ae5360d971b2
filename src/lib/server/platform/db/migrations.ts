import type { Migration } from 'kysely/migration';
import * as platform0001 from '../migrations/20261125_0001_platform.ts';
import * as platform0290 from '../migrations/20261125_0290_notifications.ts';
import * as platform0750 from '../migrations/20261126_0750_jobs.ts';

/**
 * The platform's own migrations, by name. Each module lists its own in its manifest; the composition root
 * (src/lib/server/modules.ts) puts them all together. A migration is never edited once it has landed.
 */
export const platformMigrations: Record<string, Migration> = {
	'20261125_0001_platform': platform0001,
	'20261125_0290_notifications': platform0290,
	'20261126_0750_jobs': platform0750
};
