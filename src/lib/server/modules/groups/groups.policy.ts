import type { Actor } from '#lib/server/platform/context.ts';
import type { GroupRole, GroupVisibility, MembershipState } from './groups.tables.ts';

/**
 * Who may do what in a group: pure functions over the actor, the group and the actor's own membership
 * of it (null when they have none). Commands call these before they write; pages and the API call
 * `groupAbilities` to decide which buttons to offer. Whether an action also fits the current state
 * (already a member, nothing to approve) is the command's business and answers `conflict` or `not_found`.
 *
 * Roles:
 * - site administrators create groups and may manage any group, so a group whose chairs are gone can be repaired;
 * - chairs edit the group, invite, set roles, remove members, and answer requests to join;
 * - moderators answer requests to join (gatekeeping is moderation), but do not invite, set roles or remove;
 * - active members read the group's work, closed or not;
 * - everyone reads an open group's work and any group's name, summary and charter (docs/decisions/0002-closed-groups.md).
 */

export interface GroupFacts {
	visibility: GroupVisibility;
}

export interface MembershipFacts {
	role: GroupRole;
	state: MembershipState;
}

type Membership = MembershipFacts | null | undefined;

export const isActiveMember = (m: Membership): m is MembershipFacts => m?.state === 'active';
export const isChair = (m: Membership) => isActiveMember(m) && m.role === 'chair';
/** Chairs and moderators: the group's leads. */
export const isLead = (m: Membership) => isActiveMember(m) && (m.role === 'chair' || m.role === 'moderator');

export function mayCreateGroup(actor: Actor | null): boolean {
	return !!actor?.isAdmin;
}

export function mayUpdateGroup(actor: Actor | null, _group: GroupFacts, m: Membership): boolean {
	return !!actor && (actor.isAdmin || isChair(m));
}

/** Joining straight away is for open groups; a closed group takes a request. */
export function mayJoinOpenGroup(actor: Actor | null, group: GroupFacts, _m: Membership): boolean {
	return !!actor && group.visibility === 'open';
}

export function mayRequestToJoin(actor: Actor | null, group: GroupFacts, _m: Membership): boolean {
	return !!actor && group.visibility === 'closed';
}

/** Approve or decline requests to join, and see them. */
export function mayDecideRequests(actor: Actor | null, _group: GroupFacts, m: Membership): boolean {
	return !!actor && (actor.isAdmin || isLead(m));
}

/** Invite members, see and withdraw invitations. */
export function mayInvite(actor: Actor | null, _group: GroupFacts, m: Membership): boolean {
	return !!actor && (actor.isAdmin || isChair(m));
}

export function maySetRoles(actor: Actor | null, _group: GroupFacts, m: Membership): boolean {
	return !!actor && (actor.isAdmin || isChair(m));
}

export function mayRemoveMembers(actor: Actor | null, _group: GroupFacts, m: Membership): boolean {
	return !!actor && (actor.isAdmin || isChair(m));
}

/** Only the invitee answers an invitation: the actor's own membership must be an invitation. */
export function mayRespondToInvitation(actor: Actor | null, m: Membership): boolean {
	return !!actor && m?.state === 'invited';
}

/** Leaving covers an active membership, a pending request (withdrawn) and an invitation (declined). */
export function mayLeave(actor: Actor | null, m: Membership): boolean {
	return !!actor && !!m;
}

/**
 * May the actor read the group's work: its needs, backlog, rankings, priority lists, surveys and activity?
 * Open groups: everyone. Closed groups: active members and site administrators. A pending request or
 * invitation is not membership.
 */
export function mayReadGroupWork(actor: Actor | null, group: GroupFacts, m: Membership): boolean {
	return group.visibility === 'open' || !!actor?.isAdmin || isActiveMember(m);
}

/** The member list (and member count) follows the group's work: public when open, members only when closed. */
export function maySeeMembers(actor: Actor | null, group: GroupFacts, m: Membership): boolean {
	return mayReadGroupWork(actor, group, m);
}

/** What the actor may do here, for the page's buttons and the API's `abilities`; commands check again. */
export function groupAbilities(actor: Actor | null, group: GroupFacts, m: Membership) {
	return {
		readWork: mayReadGroupWork(actor, group, m),
		seeMembers: maySeeMembers(actor, group, m),
		update: mayUpdateGroup(actor, group, m),
		join: mayJoinOpenGroup(actor, group, m) && !m,
		requestToJoin: mayRequestToJoin(actor, group, m) && !m,
		respondToInvitation: mayRespondToInvitation(actor, m),
		withdrawRequest: !!actor && m?.state === 'requested',
		leave: !!actor && isActiveMember(m),
		decideRequests: mayDecideRequests(actor, group, m),
		invite: mayInvite(actor, group, m),
		setRoles: maySetRoles(actor, group, m),
		removeMembers: mayRemoveMembers(actor, group, m)
	};
}
export type GroupAbilities = ReturnType<typeof groupAbilities>;
