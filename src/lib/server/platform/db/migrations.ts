import type { Migration } from 'kysely/migration';
import * as platform0001 from '../migrations/20261125_0001_platform.ts';
import * as members0100 from '../../modules/members/migrations/20261125_0100_members.ts';
import * as groups0200 from '../../modules/groups/migrations/20261125_0200_groups.ts';
import * as platform0290 from '../migrations/20261125_0290_notifications.ts';
import * as needs0300 from '../../modules/needs/migrations/20261125_0300_needs.ts';
import * as needs0600 from '../../modules/needs/migrations/20261125_0600_need_title_search.ts';
import * as members0400 from '../../modules/members/migrations/20261125_0400_member_search.ts';
import * as needs0500 from '../../modules/needs/migrations/20261125_0500_need_support_facts.ts';

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
	'20261125_0600_need_title_search': needs0600
};
