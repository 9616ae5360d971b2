import type { ActivityTable } from '../activity.ts';
import type { NotificationTable } from '../notifications.ts';
import type { JobsTables } from '../jobs/jobs.tables.ts';

/**
 * The whole database as Kysely sees it. The platform declares its own tables here; each module's tables
 * join this interface at the composition root (src/lib/server/modules.ts, by declaration merging), so the
 * kernel names no module and every `Kysely<Database>` still sees every table.
 */
export interface Database extends JobsTables {
	activity: ActivityTable;
	notification: NotificationTable;
}
