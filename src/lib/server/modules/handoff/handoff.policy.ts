import type { Actor } from '#lib/server/platform/context.ts';
import type { GroupFacts, MembershipFacts } from '#lib/server/modules/groups/index.ts';
import { mayModerateNeed } from '#lib/server/modules/needs/index.ts';

/*
 * Who may do what with trackers and handoffs.
 * - Trackers (their URLs, projects, settings, credentials) are configured by site administrators.
 * - A need is handed upstream, linked to an existing item, or synced on demand by those who moderate it:
 *   its group's chairs and moderators, or site administrators (the only moderators of needs outside groups).
 * - A need's handoffs are read by whoever may read the need; their sync errors only by its moderators.
 */

type Membership = MembershipFacts | null | undefined;

export const mayAdministerTrackers = (actor: Actor | null): boolean => actor?.isAdmin === true;

export const mayHandOff = (actor: Actor | null, group: GroupFacts | null, m: Membership): boolean => mayModerateNeed(actor, group, m);

/** Moderators of any group see the list of enabled trackers (never their credentials) to choose one. */
export const mayListTrackers = (actor: Actor | null, leadsSomeGroup: boolean): boolean => !!actor && (actor.isAdmin || leadsSomeGroup);

/** A need may go upstream once accepted; one already upstream may go to another tracker too. */
export const HANDABLE_STATUSES = ['accepted', 'handed_upstream', 'in_progress', 'delivered'] as const;

/** May this need go (further) upstream now: accepted or already with a tracker, and not hidden. */
export const isHandable = (need: { status: string; hidden_at: Date | null }): boolean =>
	(HANDABLE_STATUSES as readonly string[]).includes(need.status) && !need.hidden_at;
