import { describe, expect, it } from 'vitest';
import { pairwiseMatrix, schulze, TallyInputError } from './index.ts';
import { ballots } from './tally.fixtures.ts';

// Published worked examples, checked matrix by matrix, not only by winner. Ballots that leave candidates
// out rank them last, as the sources do (their full rankings end with the omitted candidate).

describe('the Wikipedia example (45 voters, A–E)', () => {
	const candidates = ['A', 'B', 'C', 'D', 'E'];
	const cast = ballots('5 A>C>B>E>D', '5 A>D>E>C>B', '8 B>E>D>A>C', '3 C>A>B>E>D', '7 C>A>E>B>D', '2 C>B>A>D>E', '7 D>C>E>B>A', '8 E>B>A>D>C');
	const result = schulze(candidates, cast, { seed: 'wikipedia' });

	it('counts the pairwise preferences', () => {
		expect(result.pairwise).toEqual([
			[0, 20, 26, 30, 22],
			[25, 0, 16, 33, 18],
			[19, 29, 0, 17, 24],
			[15, 12, 28, 0, 14],
			[23, 27, 21, 31, 0]
		]);
		expect(pairwiseMatrix(candidates, cast)).toEqual(result.pairwise);
	});

	it('finds the strongest paths', () => {
		expect(result.strongestPaths).toEqual([
			[0, 28, 28, 30, 24],
			[25, 0, 28, 33, 24],
			[25, 29, 0, 29, 24],
			[25, 28, 28, 0, 24],
			[25, 28, 28, 31, 0]
		]);
	});

	it('ranks E > A > C > B > D with no tie to break', () => {
		expect(result.tiers).toEqual([['E'], ['A'], ['C'], ['B'], ['D']]);
		expect(result.ranking).toEqual(['E', 'A', 'C', 'B', 'D']);
		expect(result.winner).toBe('E');
		expect(result.tieBreak.ties).toEqual([]);
		expect(result.tieBreak.seed).toBe('wikipedia');
		expect(result.tieBreak.draw.map((entry) => entry.candidate).sort()).toEqual(candidates);
	});
});

// M. Schulze, "A new monotonic, clone-independent, reversal symmetric, and Condorcet-consistent
// single-winner election method", Social Choice and Welfare 36 (2011), section 3. Matrices worked by hand.
describe("Schulze's paper, example 1 (30 voters, A–D)", () => {
	const result = schulze(['A', 'B', 'C', 'D'], ballots('8 A>C>D>B', '2 B>A>D>C', '4 C>D>B>A', '4 D>B>A>C', '3 D>C>B>A'), { seed: 'paper' });

	it('has the matrices of the paper', () => {
		expect(result.pairwise).toEqual([
			[0, 8, 14, 10],
			[13, 0, 6, 2],
			[7, 15, 0, 12],
			[11, 19, 9, 0]
		]);
		expect(result.strongestPaths).toEqual([
			[0, 14, 14, 12],
			[13, 0, 13, 12],
			[13, 15, 0, 12],
			[13, 19, 13, 0]
		]);
	});

	it('elects D, with the order D > A > C > B', () => {
		expect(result.tiers).toEqual([['D'], ['A'], ['C'], ['B']]);
		expect(result.winner).toBe('D');
	});
});

describe("Schulze's paper, example 2 (9 voters): a tie, broken by the seeded draw", () => {
	const cast = ballots('3 A>B>C>D', '2 C>B>D>A', '2 D>A>B>C', '2 D>B>C>A');
	const result = schulze(['A', 'B', 'C', 'D'], cast, { seed: 'caucus-example' });

	it('has the matrices of the paper', () => {
		expect(result.pairwise).toEqual([
			[0, 5, 5, 3],
			[4, 0, 7, 5],
			[4, 2, 0, 5],
			[6, 4, 4, 0]
		]);
		expect(result.strongestPaths).toEqual([
			[0, 5, 5, 5],
			[5, 0, 7, 5],
			[5, 5, 0, 5],
			[6, 5, 5, 0]
		]);
	});

	it('layers a relation whose ties are not transitive: B and D win, then A and C', () => {
		// B ties A and A ties C, yet B beats C: the tiers are layers of undefeated candidates.
		expect(result.tiers).toEqual([
			['B', 'D'],
			['A', 'C']
		]);
	});

	it('orders each tier by the SHA-256 keys of `seed:candidate` (the worked example in docs/tally.md)', () => {
		expect(result.tieBreak).toEqual({
			seed: 'caucus-example',
			draw: [
				{ candidate: 'C', key: '62baeb5e37c731fbc3c7df865c5a581df4dd1d724d8445b0155ae09e4aa01c82' },
				{ candidate: 'A', key: '6ea49b92ca2986b8db9b8cc4e33506862605b219df332b0bb8b4ed196d60ed2c' },
				{ candidate: 'B', key: '9e0d6bedc207bc8b6b51105d2bff7eaed4b822c7b34b6a3ece794adad3732476' },
				{ candidate: 'D', key: 'f8c6a5f5bcf0491b32bcb0406e64bc71d3d07f96ffa05d234bb08e31fa63707f' }
			],
			ties: [
				['B', 'D'],
				['C', 'A']
			]
		});
		expect(result.ranking).toEqual(['B', 'D', 'C', 'A']);
		expect(result.winner).toBe('B');
	});

	it('lets another seed decide differently, but never across tiers', () => {
		const winners = new Set(['one', 'two', 'three', 'four', 'five', 'six'].map((seed) => schulze(['A', 'B', 'C', 'D'], cast, { seed }).winner));
		expect(winners).toEqual(new Set(['B', 'D']));
	});
});

describe("the winners of the paper's other examples", () => {
	it.each([
		{ name: 'example 3', candidates: 'ABCD', lines: ['12 A>B>C', '6 A>D>B', '9 B>C>D', '15 C>D>A', '21 D>B>A'], winners: ['D'] },
		{ name: 'example 4', candidates: 'ABCD', lines: ['6 A>C>D', '1 B>A>D', '3 C>B>D', '3 D>B>A', '2 D>C>B'], winners: ['A', 'D'] },
		{
			name: 'example 5, situation 1',
			candidates: 'ABCDEF',
			lines: ['3 A>D>E>B>C', '3 B>F>E>C>D', '4 C>A>B>F>D', '1 D>B>C>E>F', '4 D>E>F>A>B', '2 E>C>B>D>F', '2 F>A>C>D>B'],
			winners: ['A']
		},
		{
			name: 'example 5, situation 2',
			candidates: 'ABCDEF',
			lines: ['3 A>D>E>B>C', '3 B>F>E>C>D', '4 C>A>B>F>D', '1 D>B>C>E>F', '4 D>E>F>A>B', '2 E>C>B>D>F', '2 F>A>C>D>B', '2 A>E>F>C>B'],
			winners: ['D']
		},
		{
			name: 'example 6, situation 1',
			candidates: 'ABCD',
			lines: ['3 A>B>D', '5 A>D>B', '1 A>D>C', '2 B>A>D', '2 B>D>C', '4 C>A>B', '6 C>B>A', '2 D>B>C', '5 D>C>A'],
			winners: ['A']
		},
		{
			name: 'example 6, situation 2 (E a clone of D)',
			candidates: 'ABCDE',
			lines: ['3 A>B>D>E', '5 A>D>E>B', '1 A>D>E>C', '2 B>A>D>E', '2 B>D>E>C', '4 C>A>B>D', '6 C>B>A>D', '2 D>B>E>C', '5 D>E>C>A'],
			winners: ['B']
		},
		// Tied candidates on ballots; the paper shows margins, ratios and winning votes disagreeing here.
		{
			name: 'example 7 (winning votes)',
			candidates: 'ABCD',
			lines: ['6 A>B>C>D', '8 A=B', '8 A=C', '18 A=C>D', '8 A=C=D', '40 B', '4 C>B>D', '9 C>D>A', '8 C=D', '14 D>A>B', '11 D>B>C', '4 D>C>A'],
			winners: ['D']
		},
		{
			name: 'example 8',
			candidates: 'ABCDE',
			lines: ['9 A>D>B>E', '6 B>C>A>D', '5 B>C>D>E', '2 C>D>B>E', '6 D>E>C>B', '14 E>A>C>B', '2 E>C>A>B', '1 E>D>A>C'],
			winners: ['B']
		},
		{
			name: 'example 9',
			candidates: 'ABCDE',
			lines: ['9 A>D>B>E', '1 B>A>C>E', '6 C>B>A>D', '2 C>D>B>E', '5 C>D>E>A', '6 D>E>C>A', '14 E>B>A>C', '2 E>B>C>A'],
			winners: ['E']
		}
	])('$name', ({ candidates, lines, winners }) => {
		const result = schulze([...candidates], ballots(...lines), { seed: 'paper' });
		expect(result.tiers[0]).toEqual(winners);
		expect(winners).toContain(result.winner);
	});
});

describe('input errors', () => {
	const candidates = ['A', 'B', 'C'];
	const refused = (run: () => unknown, message: RegExp, ballotIndex: number | null = null) => {
		let caught: unknown;
		try {
			run();
		} catch (error) {
			caught = error;
		}
		expect(caught).toBeInstanceOf(TallyInputError);
		expect((caught as TallyInputError).message).toMatch(message);
		expect((caught as TallyInputError).ballotIndex).toBe(ballotIndex);
	};

	it('refuses an unknown candidate, naming it and the ballot', () => {
		refused(() => schulze(candidates, [{ ranking: [['A']] }, { ranking: [['B'], ['Z']] }], { seed: 's' }), /index 1 ranks "Z", which is not a candidate/, 1);
	});

	it('refuses a candidate listed twice, in one tier or in two', () => {
		refused(() => pairwiseMatrix(candidates, [{ ranking: [['A', 'A']] }]), /index 0 lists candidate "A" twice/, 0);
		refused(() => pairwiseMatrix(candidates, [{ ranking: [['A'], ['B']] }, { ranking: [['C'], ['B'], ['C']] }]), /index 1 lists candidate "C" twice/, 1);
	});

	it('refuses an empty candidate list, and a candidate list with a repeat', () => {
		refused(() => schulze([], [], { seed: 's' }), /no candidates/);
		refused(() => pairwiseMatrix(['A', 'B', 'A'], []), /"A" appears twice in the candidate list/);
		refused(() => pairwiseMatrix(['A', ''], []), /non-empty strings/);
	});

	it('refuses malformed ballots and weights', () => {
		refused(() => pairwiseMatrix(candidates, [{ ranking: [['A'], []] }]), /tier 1 must be a non-empty array/, 0);
		refused(() => pairwiseMatrix(candidates, [{ ranking: [['A']], weight: 0 }]), /weight 0; a weight must be a positive integer/, 0);
		refused(() => pairwiseMatrix(candidates, [{ ranking: [['A']], weight: 1.5 }]), /weight 1.5/, 0);
		refused(() => pairwiseMatrix(candidates, [JSON.parse('{"rank": [["A"]]}')]), /index 0 has no ranking array/, 0);
	});

	it('refuses a missing or empty seed', () => {
		refused(() => schulze(candidates, [], { seed: '' }), /seed must be a non-empty string/);
		refused(() => schulze(candidates, [], JSON.parse('{}')), /seed must be a non-empty string/);
	});

	it('accepts no ballots, and empty rankings, as no preferences at all', () => {
		const result = schulze(candidates, [{ ranking: [] }], { seed: 's' });
		expect(result.pairwise).toEqual([
			[0, 0, 0],
			[0, 0, 0],
			[0, 0, 0]
		]);
		expect(result.tiers).toEqual([candidates]);
		expect(result.tieBreak.ties).toHaveLength(1);
	});
});
