import type { GroupKind, GroupRole, GroupVisibility, MembershipState } from '#lib/server/modules/groups/index.ts';

/** How the groups pages name kinds, roles and visibility (client-safe: types only from the module). */
export const KIND_LABELS: Record<GroupKind, string> = {
	working_group: 'Working group',
	committee: 'Committee',
	sig: 'SIG',
	ops_team: 'Ops team'
};
export const KINDS = Object.keys(KIND_LABELS) as GroupKind[];

export const ROLE_LABELS: Record<GroupRole, string> = { chair: 'Chair', moderator: 'Moderator', member: 'Member' };
export const ROLES = Object.keys(ROLE_LABELS) as GroupRole[];

export const VISIBILITY_LABELS: Record<GroupVisibility, string> = { open: 'Open', closed: 'Closed' };
export const VISIBILITY_HINTS: Record<GroupVisibility, string> = {
	open: 'Anyone may join; the members and the group’s work are public.',
	closed: 'Members join by request or invitation; the members and the group’s work are visible to members only. Name, summary and charter stay public.'
};

export const STATE_LABELS: Record<MembershipState, string> = { active: 'Member', requested: 'Requested', invited: 'Invited' };

/** Dates as YYYY-MM-DD: the same on the server and in every browser. */
export const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);
