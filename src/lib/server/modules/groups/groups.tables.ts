import type { Generated, Selectable } from 'kysely';

export const GROUP_KINDS = ['working_group', 'committee', 'sig', 'ops_team'] as const;
export type GroupKind = (typeof GROUP_KINDS)[number];
export const GROUP_VISIBILITIES = ['open', 'closed'] as const;
export type GroupVisibility = (typeof GROUP_VISIBILITIES)[number];
export const GROUP_ROLES = ['chair', 'moderator', 'member'] as const;
export type GroupRole = (typeof GROUP_ROLES)[number];
export type MembershipState = 'active' | 'requested' | 'invited';

export interface GroupTable {
	id: Generated<number>;
	slug: string;
	name: string;
	kind: GroupKind;
	visibility: GroupVisibility;
	summary: Generated<string>;
	/** Markdown. */
	charter: Generated<string>;
	created_by: number | null;
	created_at: Date;
	updated_at: Date;
}
export type GroupRow = Selectable<GroupTable>;

export interface GroupMembershipTable {
	group_id: number;
	member_id: number;
	role: GroupRole;
	/** requested: the member asked to join a closed group; invited: a chair asked the member. */
	state: MembershipState;
	message: Generated<string>;
	invited_by: number | null;
	created_at: Date;
	updated_at: Date;
}
export type GroupMembershipRow = Selectable<GroupMembershipTable>;

export interface GroupsTables {
	group: GroupTable;
	group_membership: GroupMembershipTable;
}
