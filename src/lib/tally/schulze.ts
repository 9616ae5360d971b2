import { indexCandidates, type Ballot, type CandidateId } from './ballots.ts';
import { drawInOrder, type DrawEntry } from './draw.ts';
import { countPreferences, toRows, type PairwiseMatrix } from './pairwise.ts';

export interface SchulzeOptions {
	/** Decides ties, and only ties: see seededDraw. Publish it with the result so others can recompute. */
	readonly seed: string;
}

/** How ties in the Schulze order were broken. */
export interface TieBreak {
	readonly seed: string;
	/** Every candidate with its key, smallest key first: the permutation the seed yields. */
	readonly draw: DrawEntry[];
	/** The tiers that held more than one candidate, each in the order the draw put them. Empty if none. */
	readonly ties: CandidateId[][];
}

export interface SchulzeResult {
	/** The candidates in the order given; every matrix row and column follows it. */
	readonly candidates: CandidateId[];
	/** d[i][j]: voters strictly preferring candidates[i] to candidates[j]. */
	readonly pairwise: PairwiseMatrix;
	/** p[i][j]: strength of the strongest path from candidates[i] to candidates[j] (winning votes). */
	readonly strongestPaths: number[][];
	/**
	 * The Schulze order before tie-breaking, best first: tiers[0] holds the Schulze winners (beaten by
	 * nobody), tiers[1] those beaten only by candidates in tiers[0], and so on. Within a tier, candidates
	 * keep the order of `candidates`; that order means nothing.
	 */
	readonly tiers: CandidateId[][];
	/** Every candidate, best first: the tiers with each tier ordered by the seeded draw. */
	readonly ranking: CandidateId[];
	/** ranking[0]. */
	readonly winner: CandidateId;
	readonly tieBreak: TieBreak;
}

/**
 * Ranks the candidates by the Schulze method (winning votes), breaking ties by a seeded draw.
 * Same candidates, ballots (in any order) and seed give the same result. Throws TallyInputError on
 * invalid input. Method and tie-break: docs/tally.md.
 */
export function schulze(candidates: readonly CandidateId[], ballots: readonly Ballot[], options: SchulzeOptions): SchulzeResult {
	const index = indexCandidates(candidates);
	const seed = options?.seed;
	// Drawn before counting so a missing seed fails fast, not after a long count.
	const draw = drawInOrder(candidates, seed);
	const n = index.size;
	const counts = countPreferences(index, ballots);
	const paths = strongestPaths(counts, n);

	const tierPositions = schulzeTiers(paths, n);
	const drawnTiers = tierPositions.map((tier) => [...tier].sort((x, y) => draw.positionOf[x] - draw.positionOf[y]));
	const ids = (positions: number[]) => positions.map((position) => candidates[position]);
	const ranking = drawnTiers.flatMap(ids);
	return {
		candidates: [...candidates],
		pairwise: toRows(counts, n),
		strongestPaths: toRows(paths, n),
		tiers: tierPositions.map(ids),
		ranking,
		winner: ranking[0],
		tieBreak: { seed, draw: draw.entries, ties: drawnTiers.filter((tier) => tier.length > 1).map(ids) }
	};
}

/**
 * Widest paths by the Floyd–Warshall scheme, O(n³). A direct link i→j exists when i beats j pairwise and
 * is as strong as the voters who prefer i (winning votes); a path is as strong as its weakest link.
 */
export function strongestPaths(counts: Float64Array, n: number): Float64Array {
	const paths = new Float64Array(n * n);
	for (let i = 0; i < n; i++) {
		for (let j = 0; j < n; j++) {
			const forward = counts[i * n + j];
			if (forward > counts[j * n + i]) paths[i * n + j] = forward;
		}
	}
	for (let via = 0; via < n; via++) {
		const viaRow = via * n;
		for (let from = 0; from < n; from++) {
			const fromRow = from * n;
			const toVia = paths[fromRow + via];
			// No path to `via` (which covers from === via): nothing routed through it can be stronger.
			if (toVia === 0) continue;
			for (let to = 0; to < n; to++) {
				if (to === from) continue;
				const onward = paths[viaRow + to];
				const through = toVia < onward ? toVia : onward;
				if (through > paths[fromRow + to]) paths[fromRow + to] = through;
			}
		}
	}
	return paths;
}

/**
 * Layers of the Schulze relation (i beats j iff p[i][j] > p[j][i]), best first, as candidate positions.
 * The relation is transitive but being tied in it is not (Schulze's own example 2: B ties A, A ties C,
 * yet B beats C), so the order cannot be read off pairwise; instead each layer is the candidates that no
 * remaining candidate beats, found in O(n²) by counting who beats whom (Kahn's topological layering).
 */
function schulzeTiers(paths: Float64Array, n: number): number[][] {
	const beats = (i: number, j: number) => paths[i * n + j] > paths[j * n + i];
	const beatenBy = new Int32Array(n);
	for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (beats(j, i)) beatenBy[i]++;

	const tiers: number[][] = [];
	let remaining = Array.from({ length: n }, (_, i) => i);
	while (remaining.length) {
		const tier = remaining.filter((i) => beatenBy[i] === 0);
		// A transitive strict relation has no cycle, so some remaining candidate is always unbeaten.
		if (!tier.length) throw new Error('The Schulze relation has a cycle; the strongest paths are wrong.');
		remaining = remaining.filter((i) => beatenBy[i] > 0);
		for (const winner of tier) for (const loser of remaining) if (beats(winner, loser)) beatenBy[loser]--;
		tiers.push(tier);
	}
	return tiers;
}
