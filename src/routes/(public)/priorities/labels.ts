/** Small formatting helpers shared by the priorities pages. */

export const day = (d: Date | string) => new Date(d).toISOString().slice(0, 10);
export const minute = (d: Date | string) => `${new Date(d).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
export const percent = (part: number, whole: number) => (whole ? Math.round((100 * part) / whole) : 0);
export const turnout = (t: { ballots: number; eligible: number }) => `${t.ballots} of ${t.eligible} members ranked (${percent(t.ballots, t.eligible)}%)`;

/** How another order places a need against the group's rank: "=" or "3 lower" / "2 higher". */
export function delta(groupRank: number, otherRank: number): { symbol: string; words: string; kind: 'same' | 'lower' | 'higher' } {
	if (otherRank === groupRank) return { symbol: '=', words: 'same place as the group’s rank', kind: 'same' };
	const by = Math.abs(otherRank - groupRank);
	return otherRank > groupRank
		? { symbol: `↓${by}`, words: `${by} ${by === 1 ? 'place' : 'places'} lower than the group’s rank`, kind: 'lower' }
		: { symbol: `↑${by}`, words: `${by} ${by === 1 ? 'place' : 'places'} higher than the group’s rank`, kind: 'higher' };
}
