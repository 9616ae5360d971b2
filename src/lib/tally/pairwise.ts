import {
	indexCandidates,
	listedTwice,
	malformedTier,
	TallyInputError,
	unknownCandidate,
	weightOf,
	type Ballot,
	type CandidateId,
	type CandidateIndex
} from './ballots.ts';

/** d[i][j]: how many voters strictly prefer candidate i to candidate j, in the order of the candidate list. */
export type PairwiseMatrix = number[][];

/**
 * Counts, for every ordered pair of candidates, the voters who strictly prefer the first to the second.
 * Rows and columns follow `candidates`; the diagonal is 0. Throws TallyInputError on an invalid ballot.
 */
export function pairwiseMatrix(candidates: readonly CandidateId[], ballots: readonly Ballot[]): PairwiseMatrix {
	const index = indexCandidates(candidates);
	return toRows(countPreferences(index, ballots), index.size);
}

/**
 * The pairwise counts as one flat row-major array (entry i·n + j is d[i][j]), validating every ballot on
 * the way.
 *
 * A ballot listing k of n candidates is counted in O(k²) rather than O(n²) or O(k·n): a listed candidate
 * beats every other candidate except those listed in its own tier or above it. So each listed candidate
 * gets the ballot's weight once in a per-row bonus (added to every cell of its row at the end) and the
 * weight is taken back from the few cells of candidates listed at or above it. Real ballots list a short
 * prefix of a long candidate list, which is what makes this the fast path. Float64 cells hold exact
 * integers up to 2^53, far beyond any electorate, and never overflow as Int32 could with large weights.
 */
export function countPreferences(index: CandidateIndex, ballots: readonly Ballot[]): Float64Array {
	if (!Array.isArray(ballots)) throw new TallyInputError('The ballots must be an array.');
	const n = index.size;
	const counts = new Float64Array(n * n);
	const rowBonus = new Float64Array(n);
	// Scratch space reused by every ballot, so counting allocates nothing per ballot.
	const listed = new Int32Array(n); // the ballot's candidates so far, in ranking order
	const lastBallotListing = new Int32Array(n); // ballot number + 1 that last listed the candidate: finds repeats
	let totalWeight = 0;

	for (let b = 0; b < ballots.length; b++) {
		const ballot = ballots[b];
		const weight = weightOf(ballot, b);
		totalWeight += weight;
		const ranking = ballot.ranking;
		let listedCount = 0;
		for (let t = 0; t < ranking.length; t++) {
			const tier = ranking[t];
			if (!Array.isArray(tier) || tier.length === 0) throw malformedTier(b, t);
			const tierStart = listedCount;
			for (let m = 0; m < tier.length; m++) {
				const candidate = index.get(tier[m]);
				if (candidate === undefined) throw unknownCandidate(b, tier[m]);
				if (lastBallotListing[candidate] === b + 1) throw listedTwice(b, tier[m]);
				lastBallotListing[candidate] = b + 1;
				listed[listedCount++] = candidate;
			}
			// Everyone listed so far is in this tier or above it. That includes the candidate itself, which
			// lands on the diagonal, reset below.
			for (let member = tierStart; member < listedCount; member++) {
				const row = listed[member] * n;
				rowBonus[listed[member]] += weight;
				for (let above = 0; above < listedCount; above++) counts[row + listed[above]] -= weight;
			}
		}
	}
	if (totalWeight > Number.MAX_SAFE_INTEGER) throw new TallyInputError('The ballot weights add up to more than 2^53 - 1; counts would lose precision.');

	for (let i = 0; i < n; i++) {
		const row = i * n;
		const bonus = rowBonus[i];
		for (let j = 0; j < n; j++) counts[row + j] += bonus;
		counts[row + i] = 0;
	}
	return counts;
}

/** A flat n×n matrix as an array of rows: the shape results are published in. */
export function toRows(flat: Float64Array, n: number): number[][] {
	const rows: number[][] = [];
	for (let i = 0; i < n; i++) {
		const row: number[] = [];
		for (let j = 0; j < n; j++) row.push(flat[i * n + j]);
		rows.push(row);
	}
	return rows;
}
