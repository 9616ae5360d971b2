import type { Actor } from '#lib/server/platform/context.ts';
import { isActiveMember, isLead, mayReadGroupWork, type GroupFacts, type MembershipFacts } from '#lib/server/modules/groups/index.ts';

/**
 * Who may do what with a need: pure functions over the actor, the need, its group (null for a need
 * filed outside any group) and the actor's membership of that group. Commands check these before they
 * write; pages and the API call `needAbilities` to decide which controls to show.
 *
 * - Reading: a need outside any group or in an open group is public. In a closed group it is read by
 *   the group's members (and site administrators) until the group publishes it.
 * - A hidden need is read only by those who may moderate it.
 * - Triage, merge, split, hide, lock and publish belong to the group's chairs and moderators; needs
 *   outside any group are triaged by site administrators.
 */

export interface NeedFacts {
	authorId: number | null;
	groupId: number | null;
	publishedAt: Date | null;
	hiddenAt: Date | null;
	lockedAt: Date | null;
	status: string;
}

type Membership = MembershipFacts | null | undefined;
type Group = GroupFacts | null;

export function mayModerateNeed(actor: Actor | null, group: Group, m: Membership): boolean {
	if (!actor) return false;
	if (actor.isAdmin) return true;
	return group !== null && isLead(m);
}

export function mayReadNeed(actor: Actor | null, need: NeedFacts, group: Group, m: Membership): boolean {
	if (need.hiddenAt && !mayModerateNeed(actor, group, m)) return false;
	if (group === null || need.publishedAt) return true;
	return mayReadGroupWork(actor, group, m);
}

/** Filing into a group: anyone signed in for an open group, members for a closed one. */
export function mayFileNeed(actor: Actor | null, group: Group, m: Membership): boolean {
	if (!actor) return false;
	if (group === null || group.visibility === 'open') return true;
	return actor.isAdmin || isActiveMember(m);
}

export function mayEditNeed(actor: Actor | null, need: NeedFacts, group: Group, m: Membership): boolean {
	if (!actor) return false;
	if (mayModerateNeed(actor, group, m)) return true;
	return need.authorId === actor.memberId && !need.lockedAt && !need.hiddenAt;
}

export function maySupportNeed(actor: Actor | null, need: NeedFacts, group: Group, m: Membership): boolean {
	return !!actor && mayReadNeed(actor, need, group, m) && !need.hiddenAt;
}

export function mayComment(actor: Actor | null, need: NeedFacts, group: Group, m: Membership): boolean {
	if (!actor || !mayReadNeed(actor, need, group, m)) return false;
	return !need.lockedAt || mayModerateNeed(actor, group, m);
}

export function mayEditComment(actor: Actor | null, comment: { authorId: number | null; deletedAt: Date | null; hiddenAt: Date | null }): boolean {
	return !!actor && comment.authorId === actor.memberId && !comment.deletedAt && !comment.hiddenAt;
}

/** Publishing makes a closed group's need public; only a closed group's need has anything to publish. */
export function mayPublishNeed(actor: Actor | null, need: NeedFacts, group: Group, m: Membership): boolean {
	return group !== null && group.visibility === 'closed' && !need.publishedAt && mayModerateNeed(actor, group, m);
}

export function needAbilities(actor: Actor | null, need: NeedFacts, group: Group, m: Membership) {
	const moderate = mayModerateNeed(actor, group, m);
	return {
		read: mayReadNeed(actor, need, group, m),
		edit: mayEditNeed(actor, need, group, m),
		support: maySupportNeed(actor, need, group, m),
		follow: maySupportNeed(actor, need, group, m),
		comment: mayComment(actor, need, group, m),
		triage: moderate,
		merge: moderate,
		split: moderate,
		hide: moderate,
		lock: moderate,
		publish: mayPublishNeed(actor, need, group, m)
	};
}
export type NeedAbilities = ReturnType<typeof needAbilities>;
