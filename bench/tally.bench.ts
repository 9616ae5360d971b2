// The tally library (src/lib/tally) on priority-round and election sizes: the full Schulze count against
// its floor, pairwiseMatrix alone, measured in the same run on the same ballots. Counting the pairwise
// matrix is the part no Condorcet method can skip, so the ratio shows what the strongest paths, the tiers
// and the tie-break cost on top. Pure computation: no database, no server.
import { pairwiseMatrix, schulze, type Ballot } from '#lib/tally/index.ts';
import { median, report, scaled, section } from './harness.ts';
import { prng, type Rand } from './words.ts';

/** run.ts builds the server only for benchmarks that need it. */
export const needsBuild = false;

// Warm up until the JIT has settled, then time enough interleaved runs to take a stable median: small
// sizes run in milliseconds, where the noise of a shared machine would otherwise decide the ratio.
const WARMUP = { runs: 5, ms: 500 };
const MEASURE = { minRuns: 7, maxRuns: 101, ms: 3_000 };

/**
 * Ballots as members cast them: each ranks a prefix of 3–15 candidates, drawn with a popularity skew
 * (Zipf-like, so a few items are on most ballots), and now and then ties one with the one before it.
 */
function castBallots(rand: Rand, candidateCount: number, ballotCount: number): { candidates: string[]; ballots: Ballot[] } {
	const candidates = Array.from({ length: candidateCount }, (_, i) => `need-${i + 1}`);
	// Popularity by rank, assigned to candidates in a shuffled order so the list order carries no signal.
	const popularity = candidates.map((_, rank) => 1 / (rank + 1) ** 0.8);
	for (let i = popularity.length - 1; i > 0; i--) {
		const j = Math.floor(rand() * (i + 1));
		[popularity[i], popularity[j]] = [popularity[j], popularity[i]];
	}
	const cumulative: number[] = [];
	popularity.reduce((sum, weight, i) => (cumulative[i] = sum + weight), 0);
	const total = cumulative[cumulative.length - 1];
	const pick = () => {
		const target = rand() * total;
		let low = 0;
		let high = cumulative.length - 1;
		while (low < high) {
			const mid = (low + high) >> 1;
			if (cumulative[mid] < target) low = mid + 1;
			else high = mid;
		}
		return low;
	};

	const chosenOn = new Int32Array(candidateCount); // ballot number + 1 that already ranks the candidate
	const ballots: Ballot[] = [];
	for (let b = 1; b <= ballotCount; b++) {
		const length = Math.min(candidateCount, 3 + Math.floor(rand() * 13));
		const ranking: string[][] = [];
		for (let listed = 0; listed < length;) {
			const candidate = pick();
			if (chosenOn[candidate] === b) continue;
			chosenOn[candidate] = b;
			listed++;
			if (ranking.length && rand() < 0.1) ranking[ranking.length - 1].push(candidates[candidate]);
			else ranking.push([candidates[candidate]]);
		}
		ballots.push({ ranking });
	}
	return { candidates, ballots };
}

function timed(work: () => unknown): number {
	const started = performance.now();
	work();
	return performance.now() - started;
}

async function measure(name: string, ballotCount: number, candidateCount: number) {
	const { candidates, ballots } = castBallots(prng(candidateCount * 1_000_003 + ballotCount), candidateCount, ballotCount);
	const seed = `bench-${name}`;
	let winner = '';
	const countOnly = () => pairwiseMatrix(candidates, ballots);
	const fullTally = () => (winner = schulze(candidates, ballots, { seed }).winner);

	let warmups = 0;
	for (const started = performance.now(); warmups < WARMUP.runs || performance.now() - started < WARMUP.ms; warmups++) {
		countOnly();
		fullTally();
	}
	// Interleaved, so drift in machine load (the machine is shared) falls on both alike.
	const floorMs: number[] = [];
	const schulzeMs: number[] = [];
	for (const started = performance.now(); floorMs.length < MEASURE.minRuns || (floorMs.length < MEASURE.maxRuns && performance.now() - started < MEASURE.ms);) {
		floorMs.push(timed(countOnly));
		schulzeMs.push(timed(fullTally));
	}
	const floor = median(floorMs);
	const full = median(schulzeMs);
	console.log(
		`  ${ballotCount.toLocaleString('en')} ballots × ${candidateCount} candidates: pairwiseMatrix ${floor.toFixed(2)} ms, schulze ${full.toFixed(2)} ms ` +
			`(${(full / floor).toFixed(3)}×), medians of ${floorMs.length} interleaved runs after ${warmups} warm-up runs; winner ${winner}`
	);
	report(`tally.${name}.ratio`, Number((full / floor).toFixed(3)), 'ratio', `schulze / pairwiseMatrix, ${ballotCount} ballots`);
	return { floor, full };
}

export async function run(): Promise<void> {
	section('tally: Schulze (strongest paths, tiers, seeded tie-break) against counting the pairwise matrix alone');
	const small = await measure('schulze_20k_40', scaled(20_000, 100), 40);
	report('tally.schulze_20k_40.ms', Number(small.full.toFixed(2)), 'ms');
	report('tally.pairwise_20k_40.ms', Number(small.floor.toFixed(2)), 'ms');
	const large = await measure('schulze_200k_100', scaled(200_000, 100), 100);
	report('tally.schulze_200k_100.ms', Number(large.full.toFixed(1)), 'ms');
	report('tally.pairwise_200k_100.ms', Number(large.floor.toFixed(1)), 'ms');
}
