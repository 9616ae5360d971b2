import type { Actor } from '#lib/server/platform/context.ts';
import { isActiveMember, type GroupFacts, type MembershipFacts } from '#lib/server/modules/groups/index.ts';
import { mayModerateNeed, mayReadNeed, type NeedFacts } from '#lib/server/modules/needs/index.ts';
import type { ChampionRole } from './champions.tables.ts';

/**
 * Who may champion or sponsor a need and link its upstream work: pure functions over the actor, the need,
 * its group, the actor's membership and the actor's standing role on the need (null when none).
 *
 * - Volunteering: any signed-in member who may read the need, while the need is still open (not delivered,
 *   declined or a duplicate) and not hidden. A closed group's need, even published, is championed by the
 *   group's own members: the group speaks upstream for its work (a site administrator is no exception).
 * - Several champions and sponsors may stand on one need, as upstream changes often have co-authors and
 *   several reviewers; one standing role per member.
 * - Withdrawing is one's own; removing someone else belongs to the need's moderators, with a reason.
 * - Linking upstream changes and updating their state: the need's standing champions and sponsors, and its moderators.
 * - Asking someone to champion or sponsor (an invitation): the need's moderators (its group's chairs and
 *   moderators, site administrators), while the need is open for champions and not hidden. Whom they may
 *   ask: a member who could volunteer for it themselves, so a closed group's need is offered to the group's
 *   own members only. Any of the need's moderators may withdraw an open invitation; only the member asked
 *   accepts (standing exactly as volunteering would) or declines.
 */

const OPEN_FOR_CHAMPIONS = new Set(['new', 'triaged', 'accepted', 'handed_upstream', 'in_progress']);

type Membership = MembershipFacts | null | undefined;
type Group = GroupFacts | null;

/**
 * Whether a member whose membership of the need's group is `m` could stand for the need: it is open for
 * champions and not hidden, and a closed group's need takes its own members. Such a member may read the need.
 */
function openToMember(need: NeedFacts, group: Group, m: Membership): boolean {
	if (need.hiddenAt || !OPEN_FOR_CHAMPIONS.has(need.status)) return false;
	return group === null || group.visibility === 'open' || isActiveMember(m);
}

export function mayVolunteer(actor: Actor | null, need: NeedFacts, group: Group, m: Membership): boolean {
	return !!actor && mayReadNeed(actor, need, group, m) && openToMember(need, group, m);
}

/** Whether the need is one its moderator `actor` may ask members to champion now. */
export function mayInviteChampions(actor: Actor | null, need: NeedFacts, group: Group, m: Membership): boolean {
	return !!actor && mayReadNeed(actor, need, group, m) && !need.hiddenAt && OPEN_FOR_CHAMPIONS.has(need.status) && mayModerateNeed(actor, group, m);
}

/** Whether a member whose membership of the need's group is `inviteeMembership` may be asked: one who could volunteer. */
export function mayBeInvited(need: NeedFacts, group: Group, inviteeMembership: Membership): boolean {
	return openToMember(need, group, inviteeMembership);
}

/** Seeing a need's invitations and withdrawing an open one: its moderators. */
export function mayManageInvitations(actor: Actor | null, need: NeedFacts, group: Group, m: Membership): boolean {
	return mayReadNeed(actor, need, group, m) && mayModerateNeed(actor, group, m);
}

export function mayRemoveChampion(actor: Actor | null, need: NeedFacts, group: Group, m: Membership): boolean {
	return mayReadNeed(actor, need, group, m) && mayModerateNeed(actor, group, m);
}

export function mayLinkChanges(actor: Actor | null, need: NeedFacts, group: Group, m: Membership, standing: ChampionRole | null): boolean {
	if (!actor || !mayReadNeed(actor, need, group, m) || need.hiddenAt) return false;
	return standing !== null || mayModerateNeed(actor, group, m);
}

export function championAbilities(actor: Actor | null, need: NeedFacts, group: Group, m: Membership, standing: ChampionRole | null) {
	return {
		volunteer: mayVolunteer(actor, need, group, m) && standing === null,
		withdraw: !!actor && standing !== null,
		remove: mayRemoveChampion(actor, need, group, m),
		linkChanges: mayLinkChanges(actor, need, group, m, standing),
		invite: mayInviteChampions(actor, need, group, m)
	};
}
export type ChampionAbilities = ReturnType<typeof championAbilities>;
