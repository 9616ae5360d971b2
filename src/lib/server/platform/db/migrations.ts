import type { Migration } from 'kysely/migration';
import * as platform0001 from '../migrations/20261125_0001_platform.ts';
import * as members0100 from '../../modules/members/migrations/20261125_0100_members.ts';
import * as groups0200 from '../../modules/groups/migrations/20261125_0200_groups.ts';
import * as platform0290 from '../migrations/20261125_0290_notifications.ts';
import * as needs0300 from '../../modules/needs/migrations/20261125_0300_needs.ts';
import * as needs0600 from '../../modules/needs/migrations/20261125_0600_need_title_search.ts';
import * as needs0650 from '../../modules/needs/migrations/20261126_0650_needs_performance.ts';
import * as members0400 from '../../modules/members/migrations/20261125_0400_member_search.ts';
import * as needs0500 from '../../modules/needs/migrations/20261125_0500_need_support_facts.ts';
import * as cycles0700 from '../../modules/cycles/migrations/20261126_0700_cycles.ts';
import * as priorities0710 from '../../modules/priorities/migrations/20261126_0710_priorities.ts';
import * as platform0750 from '../migrations/20261126_0750_jobs.ts';
import * as handoff0800 from '../../modules/handoff/migrations/20261126_0800_handoff.ts';
import * as champions0900 from '../../modules/champions/migrations/20261126_0900_champions.ts';
import * as needs1000 from '../../modules/needs/migrations/20261126_1000_needs_trending.ts';
import * as needs1010 from '../../modules/needs/migrations/20261126_1010_need_segment_counts.ts';
import * as needs1020 from '../../modules/needs/migrations/20261126_1020_need_organization_counts.ts';
import * as members1100 from '../../modules/members/migrations/20261204_1100_account_protection.ts';
import * as needs1200 from '../../modules/needs/migrations/20261204_1200_need_unguessable_ids.ts';

/**
 * Every migration, by name. Names start with a timestamp so they apply in the order they were written,
 * whichever module owns them. A new migration is added here and never edited once it has landed.
 */
export const migrations: Record<string, Migration> = {
	'20261125_0001_platform': platform0001,
	'20261125_0100_members': members0100,
	'20261125_0200_groups': groups0200,
	'20261125_0290_notifications': platform0290,
	'20261125_0300_needs': needs0300,
	'20261125_0400_member_search': members0400,
	'20261125_0500_need_support_facts': needs0500,
	'20261125_0600_need_title_search': needs0600,
	'20261126_0650_needs_performance': needs0650,
	'20261126_0700_cycles': cycles0700,
	'20261126_0710_priorities': priorities0710,
	'20261126_0750_jobs': platform0750,
	'20261126_0800_handoff': handoff0800,
	'20261126_0900_champions': champions0900,
	'20261126_1000_needs_trending': needs1000,
	'20261126_1010_need_segment_counts': needs1010,
	'20261126_1020_need_organization_counts': needs1020,
	'20261204_1100_account_protection': members1100,
	'20261204_1200_need_unguessable_ids': needs1200
};
