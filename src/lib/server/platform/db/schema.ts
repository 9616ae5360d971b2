import type { ActivityTable } from '../activity.ts';
import type { NotificationTable } from '../notifications.ts';
import type { MembersTables } from '../../modules/members/members.tables.ts';
import type { GroupsTables } from '../../modules/groups/groups.tables.ts';
import type { NeedsTables } from '../../modules/needs/needs.tables.ts';
import type { CyclesTables } from '../../modules/cycles/cycles.tables.ts';
import type { PrioritiesTables } from '../../modules/priorities/priorities.tables.ts';
import type { JobsTables } from '../jobs/jobs.tables.ts';
import type { HandoffTables } from '../../modules/handoff/handoff.tables.ts';
import type { ChampionsTables } from '../../modules/champions/champions.tables.ts';

/** The whole database as Kysely sees it: each module contributes its tables. */
export interface Database
	extends MembersTables,
		GroupsTables,
		NeedsTables,
		CyclesTables,
		PrioritiesTables,
		JobsTables,
		HandoffTables,
		ChampionsTables {
	activity: ActivityTable;
	notification: NotificationTable;
}
