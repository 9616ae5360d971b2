// The public surface: what routes and other modules may use, by name (docs/architecture.md, "Crossing modules").
export {
	GROUP_KINDS,
	GROUP_VISIBILITIES,
	type GroupKind,
	type GroupMembershipRow,
	type GroupRole,
	type GroupRow,
	type GroupVisibility,
	type GroupsTables,
	type MembershipState
} from './groups.tables.ts';
export {
	type GroupFacts,
	type MembershipFacts,
	groupAbilities,
	isActiveMember,
	isChair,
	isLead,
	mayCreateGroup,
	mayReadGroupWork,
	maySeeMembers
} from './groups.policy.ts';
export {
	type Group,
	type GroupAccess,
	type Membership,
	countActiveMembers,
	findGroupById,
	findGroupBySlug,
	findGroupsNamed,
	findMembership,
	getGroupDetail,
	getGroupPage,
	leadsSomeGroup,
	listGroupNames,
	listGroups,
	listGroupsOfMember,
	listMemberships,
	loadGroupAccess,
	requireGroupWorkReadable
} from './groups.queries.ts';
export { type CreateGroupInput, type InviteInput, type RequestToJoinInput, type SetRoleInput, type UpdateGroupInput } from './groups.schemas.ts';
export { activeMemberIds, groupWorkReadableBy, leadGroupIds, readableGroupIds } from './groups.visibility.ts';
export {
	acceptInvitation,
	approveRequest,
	createGroup,
	declineInvitation,
	declineRequest,
	endMembership,
	invite,
	joinOpenGroup,
	joinOrRequest,
	leaveGroup,
	removeMember,
	requestToJoin,
	setRole,
	updateGroup
} from './groups.commands.ts';

import { defineModule, tablesOf } from '#lib/server/platform/module.ts';
import type { GroupsTables } from './groups.tables.ts';
import * as m0200 from './migrations/20261125_0200_groups.ts';
import { groupsOperations } from './groups.api.ts';

/** What the groups module brings to the platform; the composition root (src/lib/server/modules.ts) wires it. */
export const manifest = defineModule({
	name: 'groups',
	tables: tablesOf<GroupsTables>(),
	migrations: {
		'20261125_0200_groups': m0200
	},
	operations: groupsOperations,
	demoSeed: async () => (await import('./groups.seed.ts')).seedDemo,
	factories: () => import('./groups.factories.ts'),
	navigation: [{ href: '/groups', label: 'Groups', order: 40 }]
});
