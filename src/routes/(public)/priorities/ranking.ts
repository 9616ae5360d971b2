/*
 * A ballot as the ranking widget holds it: the ranked tiers, best first, each a list of need ids (a tier of
 * several is a tie). Every candidate in no tier is unranked, below every ranked need, and unranked needs
 * are always shown in the round's candidate order. The widget writes it back as the same rank-<id> fields
 * the form has without JavaScript (tier number, or '' for unranked), so the server reads one format.
 */

export type Tiers = readonly (readonly number[])[];

/**
 * Where a need can go, relative to the ranking without it: a rank of its own before the tier at `at`
 * (`at` = the number of tiers: last), tied with the tier at `at`, or unranked.
 */
export type Place = { kind: 'alone'; at: number } | { kind: 'tie'; at: number } | { kind: 'unranked' };

/** The tiers that rank-<id> values make (the form's fields, kept input or a saved ballot): invalid ranks count as unranked. */
export function tiersFromFields(rankOf: (needId: number) => unknown, candidateIds: readonly number[]): number[][] {
	const byRank = new Map<number, number[]>();
	for (const id of candidateIds) {
		const raw = rankOf(id);
		const rank = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
		if (!(rank >= 1 && rank <= candidateIds.length)) continue;
		byRank.set(rank, [...(byRank.get(rank) ?? []), id]);
	}
	return [...byRank.entries()].sort(([a], [b]) => a - b).map(([, ids]) => ids);
}

/** The rank-<id> value of each candidate: its tier's number, or '' when unranked. */
export function rankFields(tiers: Tiers): Map<number, string> {
	return new Map(tiers.flatMap((tier, t) => tier.map((id) => [id, String(t + 1)] as const)));
}

/** The candidates in the order the ballot shows them: ranked ones by rank, then the unranked ones, each in candidate order. */
export function inBallotOrder<T>(candidates: readonly T[], idOf: (c: T) => number, tiers: Tiers): T[] {
	const position = new Map(tiers.flat().map((id, i) => [id, i] as const));
	const index = new Map(candidates.map((c, i) => [idOf(c), i] as const));
	const key = (c: T) => position.get(idOf(c)) ?? tiers.flat().length + (index.get(idOf(c)) ?? 0);
	return [...candidates].sort((a, b) => key(a) - key(b));
}

/** The candidates no tier holds, in candidate order. */
export function unrankedOf(tiers: Tiers, candidateIds: readonly number[]): number[] {
	const ranked = new Set(tiers.flat());
	return candidateIds.filter((id) => !ranked.has(id));
}

/** The tiers without the need (a tier it leaves empty goes too). */
export function without(tiers: Tiers, id: number): number[][] {
	return tiers.map((tier) => tier.filter((x) => x !== id)).filter((tier) => tier.length > 0);
}

/** The tiers with the need moved to the place (a place relative to `without(tiers, id)`). */
export function placed(tiers: Tiers, id: number, place: Place): number[][] {
	const base = without(tiers, id);
	if (place.kind === 'unranked') return base;
	const at = Math.max(0, Math.min(place.at, base.length));
	if (place.kind === 'tie' && at < base.length) return base.map((tier, t) => (t === at ? [...tier, id] : tier));
	return [...base.slice(0, at), [id], ...base.slice(at)];
}

/** Where the need is now, as a place relative to the ranking without it. */
export function placeOf(tiers: Tiers, id: number): Place {
	const t = tiers.findIndex((tier) => tier.includes(id));
	if (t < 0) return { kind: 'unranked' };
	return tiers[t].length > 1 ? { kind: 'tie', at: t } : { kind: 'alone', at: t };
}

/**
 * Every place a need can be moved to, top to bottom, as the arrow keys step through them: a rank of its
 * own above the first tier, tied with the first tier, a rank of its own between the first and second, …,
 * a rank of its own after the last tier, unranked.
 */
export function placesAround(base: Tiers): Place[] {
	const places: Place[] = [];
	for (let at = 0; at < base.length; at++) places.push({ kind: 'alone', at }, { kind: 'tie', at });
	places.push({ kind: 'alone', at: base.length }, { kind: 'unranked' });
	return places;
}

export function samePlace(a: Place, b: Place): boolean {
	return a.kind === b.kind && (a.kind === 'unranked' || a.at === (b as { at: number }).at);
}

/** The place `steps` away from where the need is now (clamped to the first and last), and whether it moved. */
export function stepped(tiers: Tiers, id: number, steps: number): { tiers: number[][]; moved: boolean } {
	const places = placesAround(without(tiers, id));
	const now = places.findIndex((p) => samePlace(p, placeOf(tiers, id)));
	const next = Math.max(0, Math.min(places.length - 1, now + steps));
	return { tiers: next === now ? tiers.map((tier) => [...tier]) : placed(tiers, id, places[next]), moved: next !== now };
}

/** "rank 3 of 5", "rank 2 of 5, tied with A and B", "unranked": where the need is, in words. */
export function positionText(tiers: Tiers, id: number, titleOf: (id: number) => string): string {
	const t = tiers.findIndex((tier) => tier.includes(id));
	if (t < 0) return 'unranked';
	const others = tiers[t].filter((x) => x !== id).map(titleOf);
	const tie = others.length ? `, tied with ${others.length === 1 ? others[0] : `${others.slice(0, -1).join(', ')} and ${others.at(-1)}`}` : '';
	return `rank ${t + 1} of ${tiers.length}${tie}`;
}
