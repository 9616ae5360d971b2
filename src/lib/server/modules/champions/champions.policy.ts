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
 */

const OPEN_FOR_CHAMPIONS = new Set(['new', 'triaged', 'accepted', 'handed_upstream', 'in_progress']);

type Membership = MembershipFacts | null | undefined;
type Group = GroupFacts | null;

export function mayVolunteer(actor: Actor | null, need: NeedFacts, group: Group, m: Membership): boolean {
	if (!actor || !mayReadNeed(actor, need, group, m) || need.hiddenAt) return false;
	if (!OPEN_FOR_CHAMPIONS.has(need.status)) return false;
	return group === null || group.visibility === 'open' || isActiveMember(m);
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
		linkChanges: mayLinkChanges(actor, need, group, m, standing)
	};
}
export type ChampionAbilities = ReturnType<typeof championAbilities>;
