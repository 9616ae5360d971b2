import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { pairwiseMatrix, schulze, type Ballot, type CandidateId } from './index.ts';
import { naivePairwise, naiveStrongestPaths, transpose } from './tally.fixtures.ts';

// Small elections, so that ties, cycles and Condorcet winners all turn up often.
const MAX_BALLOTS = 25;

function ballotFrom(order: CandidateId[], tiedWithPrevious: boolean[], weight: number | undefined): Ballot {
	const ranking: CandidateId[][] = [];
	order.forEach((candidate, i) => (tiedWithPrevious[i] && ranking.length ? ranking[ranking.length - 1].push(candidate) : ranking.push([candidate])));
	return weight === undefined ? { ranking } : { ranking, weight };
}

const electionArb = fc.integer({ min: 1, max: 6 }).chain((n) => {
	const candidates = Array.from({ length: n }, (_, i) => `c${i}`);
	const ballot = fc
		.tuple(
			fc.shuffledSubarray(candidates),
			fc.array(
				fc.integer({ min: 0, max: 3 }).map((x) => x === 0),
				{ minLength: n, maxLength: n }
			),
			fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined })
		)
		.map(([order, tied, weight]) => ballotFrom(order, tied, weight));
	return fc.record({ candidates: fc.constant(candidates), ballots: fc.array(ballot, { maxLength: MAX_BALLOTS }) });
});

const seedArb = fc.string({ minLength: 1, maxLength: 12 });

/** The candidate who beats every other one pairwise, if there is one. */
function condorcetWinner(candidates: CandidateId[], d: number[][]): CandidateId | null {
	const winner = candidates.findIndex((_, i) => candidates.every((__, j) => i === j || d[i][j] > d[j][i]));
	return winner === -1 ? null : candidates[winner];
}

describe('tally properties', () => {
	it('counts pairwise preferences like the obvious O(n²)-per-ballot count', () => {
		fc.assert(
			fc.property(electionArb, ({ candidates, ballots }) => {
				expect(pairwiseMatrix(candidates, ballots)).toEqual(naivePairwise(candidates, ballots));
			})
		);
	});

	it('finds the same strongest paths as relaxing links to a fixpoint', () => {
		fc.assert(
			fc.property(electionArb, ({ candidates, ballots }) => {
				const result = schulze(candidates, ballots, { seed: 's' });
				expect(result.strongestPaths).toEqual(naiveStrongestPaths(result.pairwise));
			})
		);
	});

	it('elects the Condorcet winner whenever there is one', () => {
		fc.assert(
			fc.property(electionArb, ({ candidates, ballots }) => {
				const result = schulze(candidates, ballots, { seed: 's' });
				const winner = condorcetWinner(candidates, result.pairwise);
				fc.pre(winner !== null);
				expect(result.tiers[0]).toEqual([winner]);
				expect(result.winner).toBe(winner);
			})
		);
	});

	it('ranks consistently: transitive, tiers of the undefeated, and a ranking that never puts a loser above its winner', () => {
		fc.assert(
			fc.property(electionArb, seedArb, ({ candidates, ballots }, seed) => {
				const { strongestPaths: p, tiers, ranking, tieBreak } = schulze(candidates, ballots, { seed });
				const at = (c: CandidateId) => candidates.indexOf(c);
				const beats = (x: CandidateId, y: CandidateId) => p[at(x)][at(y)] > p[at(y)][at(x)];
				for (const x of candidates) for (const y of candidates) for (const z of candidates) if (beats(x, y) && beats(y, z)) expect(beats(x, z)).toBe(true);
				tiers.forEach((tier, level) => {
					const below = tiers.slice(level).flat();
					for (const c of tier) expect(below.some((other) => beats(other, c))).toBe(false);
				});
				for (const x of candidates) for (const y of candidates) if (beats(x, y)) expect(ranking.indexOf(x)).toBeLessThan(ranking.indexOf(y));
				const drawn = tieBreak.draw.map((entry) => entry.candidate);
				expect(ranking).toEqual(tiers.flatMap((tier) => [...tier].sort((x, y) => drawn.indexOf(x) - drawn.indexOf(y))));
				expect(tieBreak.ties).toEqual(tiers.filter((tier) => tier.length > 1).map((tier) => ranking.filter((c) => tier.includes(c))));
			})
		);
	});

	it('does not depend on the order of the ballots, or of candidates within a tier', () => {
		fc.assert(
			fc.property(
				electionArb.chain((election) => fc.tuple(fc.constant(election), fc.shuffledSubarray(election.ballots, { minLength: election.ballots.length }))),
				seedArb,
				([{ candidates, ballots }, shuffled], seed) => {
					const reordered = shuffled.map((ballot) => ({ ...ballot, ranking: ballot.ranking.map((tier) => [...tier].reverse()) }));
					expect(schulze(candidates, reordered, { seed })).toEqual(schulze(candidates, ballots, { seed }));
				}
			)
		);
	});

	it('gives the same result for the same seed, and the same ranking whatever the order of the candidate list', () => {
		fc.assert(
			fc.property(
				electionArb.chain((election) => fc.tuple(fc.constant(election), fc.shuffledSubarray(election.candidates, { minLength: election.candidates.length }))),
				seedArb,
				([{ candidates, ballots }, listedOtherwise], seed) => {
					const result = schulze(candidates, ballots, { seed });
					expect(schulze(candidates, ballots, { seed })).toEqual(result);
					const other = schulze(listedOtherwise, ballots, { seed });
					expect(other.ranking).toEqual(result.ranking);
					expect(other.tieBreak).toEqual(result.tieBreak);
				}
			)
		);
	});

	it('counts a ballot of weight w like w copies of it', () => {
		fc.assert(
			fc.property(electionArb, ({ candidates, ballots }) => {
				const copies = ballots.flatMap((ballot) => Array.from({ length: ballot.weight ?? 1 }, () => ({ ranking: ballot.ranking })));
				expect(schulze(candidates, copies, { seed: 's' })).toEqual(schulze(candidates, ballots, { seed: 's' }));
			})
		);
	});

	it('is independent of clones: cloning a loser does not change a unique winner', () => {
		const placements = fc.array(fc.constantFrom('tied', 'above', 'below'), { minLength: MAX_BALLOTS, maxLength: MAX_BALLOTS });
		fc.assert(
			fc.property(electionArb, fc.nat(), placements, ({ candidates, ballots }, pick, placement) => {
				const before = schulze(candidates, ballots, { seed: 's' });
				fc.pre(before.tiers[0].length === 1 && candidates.length > 1);
				const losers = candidates.filter((c) => c !== before.winner);
				const original = losers[pick % losers.length];
				const clone = `${original}-clone`;
				// Beside the original on every ballot, so every other candidate sees the two alike: tied with it,
				// or just above or below it when it stands alone in its tier; unlisted when it is.
				const cloned = ballots.map((ballot, b) => {
					const at = ballot.ranking.findIndex((tier) => tier.includes(original));
					if (at === -1) return ballot;
					const ranking = ballot.ranking.map((tier) => [...tier]);
					const where = ranking[at].length > 1 ? 'tied' : placement[b];
					if (where === 'tied') ranking[at].push(clone);
					else ranking.splice(where === 'above' ? at : at + 1, 0, [clone]);
					return { ...ballot, ranking };
				});
				const after = schulze([...candidates, clone], cloned, { seed: 's' });
				expect(after.tiers[0]).toEqual([before.winner]);
			})
		);
	});

	it('is reversal symmetric: reversing every ballot transposes the matrices, and a unique winner stops winning', () => {
		fc.assert(
			fc.property(electionArb, ({ candidates, ballots }) => {
				const reversed = ballots.map((ballot) => {
					const unlisted = candidates.filter((c) => !ballot.ranking.some((tier) => tier.includes(c)));
					const full = unlisted.length ? [...ballot.ranking, unlisted] : ballot.ranking;
					return { ...ballot, ranking: [...full].reverse() };
				});
				const forward = schulze(candidates, ballots, { seed: 's' });
				const backward = schulze(candidates, reversed, { seed: 's' });
				expect(backward.pairwise).toEqual(transpose(forward.pairwise));
				expect(backward.strongestPaths).toEqual(transpose(forward.strongestPaths));
				if (forward.tiers[0].length === 1 && candidates.length > 1) expect(backward.tiers[0]).not.toContain(forward.winner);
			})
		);
	});
});
