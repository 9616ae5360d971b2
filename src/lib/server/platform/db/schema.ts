import type { ActivityTable } from '../activity.ts';
import type { MembersTables } from '../../modules/members/members.tables.ts';
import type { GroupsTables } from '../../modules/groups/groups.tables.ts';

/** The whole database as Kysely sees it: each module contributes its tables. */
export interface Database extends MembersTables, GroupsTables {
	activity: ActivityTable;
}
