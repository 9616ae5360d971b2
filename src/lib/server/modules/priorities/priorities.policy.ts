import type { Actor } from '#lib/server/platform/context.ts';
import { isActiveMember, isChair, mayReadGroupWork, type GroupFacts, type MembershipFacts } from '#lib/server/modules/groups/index.ts';

/**
 * Who may do what with priority rounds and lists: pure functions over the actor, the round's group and
 * the actor's membership of it. Commands check these before they write; pages and the API call
 * `roundAbilities` to decide which controls to show.
 *
 * - A round belongs to its group's work: everyone reads an open group's rounds (candidates, turnout,
 *   and the result once closed); a closed group's rounds are read by its active members and site admins.
 * - Active members of the group (any role) rank the candidates; a site administrator who is not a member does not vote.
 * - The group's chairs (and site administrators, who repair any group) open, close and publish.
 * - A ballot is read by its voter only: no role, not even a site administrator, reads another's ballot.
 * - A published list is public, also for a closed group: publishing is the chair's decision to speak.
 */

type Membership = MembershipFacts | null | undefined;

export const mayReadRound = (actor: Actor | null, group: GroupFacts, m: Membership) => mayReadGroupWork(actor, group, m);

export const mayRunRounds = (actor: Actor | null, _group: GroupFacts, m: Membership) => !!actor && (actor.isAdmin || isChair(m));

export const mayVote = (actor: Actor | null, _group: GroupFacts, m: Membership) => !!actor && isActiveMember(m);

/** A round's state as readers see it: an open round whose closing time has passed is closed. */
export const effectiveRoundState = <S extends string>(state: S, closesAt: Date | null, now: Date): S | 'closed' =>
	state === 'open' && closesAt !== null && closesAt <= now ? 'closed' : state;

export function roundAbilities(actor: Actor | null, group: GroupFacts, m: Membership, round: { state: string; closesAt: Date | null }, now: Date) {
	// A round past its closing time is closed, whether or not the job has counted it yet.
	const open = effectiveRoundState(round.state, round.closesAt, now) === 'open';
	const run = mayRunRounds(actor, group, m);
	return {
		read: mayReadRound(actor, group, m),
		vote: open && mayVote(actor, group, m),
		close: open && run,
		publish: !open && run
	};
}
export type RoundAbilities = ReturnType<typeof roundAbilities>;
