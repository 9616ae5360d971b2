import type { ActivityTable } from '../activity.ts';
import type { NotificationTable } from '../notifications.ts';
import type { MembersTables } from '../../modules/members/members.tables.ts';
import type { GroupsTables } from '../../modules/groups/groups.tables.ts';
import type { NeedsTables } from '../../modules/needs/needs.tables.ts';

/** The whole database as Kysely sees it: each module contributes its tables. */
export interface Database extends MembersTables, GroupsTables, NeedsTables {
	activity: ActivityTable;
	notification: NotificationTable;
}
