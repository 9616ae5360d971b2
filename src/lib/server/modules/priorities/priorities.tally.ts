import { schulze, type Ballot } from '#lib/tally/index.ts';
import type { StoredRanking } from './priorities.tables.ts';

/*
 * The bridge between a round's stored ballots and the tally library (src/lib/tally, docs/tally.md):
 * candidates go in as need ids written as decimal strings, and the result comes back as need ids.
 */

/** What closing a round stores: enough to show and to recompute every number without the ballots. */
export interface RoundResult {
	method: 'schulze-winning-votes';
	/** Need ids in the order of every matrix row and column. */
	candidates: number[];
	/** pairwise[i][j]: voters who rank candidates[i] above candidates[j]. */
	pairwise: number[][];
	/** strongestPaths[i][j]: strength of the strongest path from candidates[i] to candidates[j]. */
	strongestPaths: number[][];
	/** The Schulze order before the tie-break, best first; a tier holds candidates the method cannot separate. */
	tiers: number[][];
	/** The final order, best first: the tiers, each ordered by the seeded draw. */
	ranking: number[];
	tieBreak: { seed: string; draw: { needId: number; key: string }[]; ties: number[][] };
	ballots: number;
	eligible: number;
}

/** Ballots as the tally library reads them; tiers naming a need that is no longer a candidate are dropped. */
export function talliedBallots(candidates: readonly number[], rankings: readonly StoredRanking[]): Ballot[] {
	const known = new Set(candidates);
	return rankings.map((ranking) => ({
		ranking: ranking.map((tier) => tier.filter((id) => known.has(id)).map(String)).filter((tier) => tier.length > 0)
	}));
}

export function tallyRound(candidates: readonly number[], rankings: readonly StoredRanking[], seed: string, eligible: number): RoundResult {
	const result = schulze(candidates.map(String), talliedBallots(candidates, rankings), { seed });
	const ids = (list: readonly string[]) => list.map(Number);
	return {
		method: 'schulze-winning-votes',
		candidates: ids(result.candidates),
		pairwise: result.pairwise.map((row) => [...row]),
		strongestPaths: result.strongestPaths.map((row) => [...row]),
		tiers: result.tiers.map(ids),
		ranking: ids(result.ranking),
		tieBreak: {
			seed: result.tieBreak.seed,
			draw: result.tieBreak.draw.map((e) => ({ needId: Number(e.candidate), key: e.key })),
			ties: result.tieBreak.ties.map(ids)
		},
		ballots: rankings.length,
		eligible
	};
}

/**
 * Standard competition ranks of `ids` by `score`, highest first: equal scores share a rank and the next
 * rank skips (1, 2, 2, 4), so a reader never sees an order the numbers do not support.
 */
export function competitionRanks(ids: readonly number[], score: (id: number) => number): Map<number, number> {
	const sorted = [...ids].sort((a, b) => score(b) - score(a));
	const ranks = new Map<number, number>();
	sorted.forEach((id, position) => {
		const previous = sorted[position - 1];
		ranks.set(id, position > 0 && score(previous) === score(id) ? ranks.get(previous)! : position + 1);
	});
	return ranks;
}

/** Rows and columns of a square matrix given in `from` order, re-laid in `to` order. */
export function reorderMatrix(matrix: readonly (readonly number[])[], from: readonly number[], to: readonly number[]): number[][] {
	const at = new Map(from.map((id, i) => [id, i]));
	return to.map((row) => to.map((column) => matrix[at.get(row)!][at.get(column)!]));
}

// The deployments order of a published list weighs each distinct deployment supporting the need's family
// by `deploymentWeight`; the weight and the family live in the needs module (familyDeploymentScore).
