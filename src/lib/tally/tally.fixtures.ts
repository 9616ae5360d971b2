// Test helpers: ballots written the way election examples are printed, and slow but obviously correct
// reference computations to check the fast ones against. Not exported from index.ts.
import type { Ballot, CandidateId } from './ballots.ts';

/**
 * Ballots from lines like `5 A>C>B=E`: a count, then tiers separated by `>`, tied candidates by `=`.
 * Candidates a line leaves out rank below the ones it lists, as in the published examples.
 */
export function ballots(...lines: string[]): Ballot[] {
	return lines.map((line) => {
		const [count, ranking] = line.trim().split(/\s+/);
		return { weight: Number(count), ranking: ranking.split('>').map((tier) => tier.split('=')) };
	});
}

/** Each ballot's tier number per candidate; unlisted candidates share the tier after the last. */
function ranksOf(candidates: readonly CandidateId[], ballot: Ballot): number[] {
	return candidates.map((candidate) => {
		const tier = ballot.ranking.findIndex((members) => members.includes(candidate));
		return tier === -1 ? ballot.ranking.length : tier;
	});
}

export function naivePairwise(candidates: readonly CandidateId[], ballots: readonly Ballot[]): number[][] {
	const d = candidates.map(() => candidates.map(() => 0));
	for (const ballot of ballots) {
		const rank = ranksOf(candidates, ballot);
		for (let i = 0; i < candidates.length; i++) for (let j = 0; j < candidates.length; j++) if (rank[i] < rank[j]) d[i][j] += ballot.weight ?? 1;
	}
	return d;
}

/** Widest paths by relaxing every link until nothing changes: no reliance on Floyd–Warshall's loop order. */
export function naiveStrongestPaths(d: number[][]): number[][] {
	const n = d.length;
	const link = d.map((row, i) => row.map((forward, j) => (forward > d[j][i] ? forward : 0)));
	const p = link.map((row) => [...row]);
	for (let changed = true; changed;) {
		changed = false;
		for (let i = 0; i < n; i++)
			for (let k = 0; k < n; k++)
				for (let j = 0; j < n; j++) {
					const through = Math.min(p[i][k], link[k][j]);
					if (i !== j && through > p[i][j]) {
						p[i][j] = through;
						changed = true;
					}
				}
	}
	return p;
}

export const transpose = (m: number[][]) => m.map((row, i) => row.map((_, j) => m[j][i]));
