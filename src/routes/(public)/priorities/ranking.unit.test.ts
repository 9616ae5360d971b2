import { describe, expect, it } from 'vitest';
import { inBallotOrder, placed, placeOf, placesAround, positionText, rankFields, stepped, tiersFromFields, unrankedOf, without } from './ranking.ts';

const fields = (values: Record<number, string>) => (id: number) => values[id];

describe('the ranking widget’s ballot', () => {
	it('reads rank fields as tiers, ties in candidate order and invalid ranks unranked, and writes them back', () => {
		const tiers = tiersFromFields(fields({ 1: '3', 2: '', 3: '1', 4: '3', 5: 'x', 6: '99' }), [1, 2, 3, 4, 5, 6]);
		expect(tiers).toEqual([[3], [1, 4]]);
		expect(Object.fromEntries(rankFields(tiers))).toEqual({ 3: '1', 1: '2', 4: '2' });
		expect(unrankedOf(tiers, [1, 2, 3, 4, 5, 6])).toEqual([2, 5, 6]);
		expect(inBallotOrder([1, 2, 3, 4, 5, 6], (x) => x, tiers)).toEqual([3, 1, 4, 2, 5, 6]);
	});

	it('moves a need to a rank of its own, into a tie or out of the ranking', () => {
		const tiers = [[1], [2, 3], [4]];
		expect(without(tiers, 1)).toEqual([[2, 3], [4]]);
		expect(placed(tiers, 4, { kind: 'alone', at: 0 })).toEqual([[4], [1], [2, 3]]);
		expect(placed(tiers, 1, { kind: 'tie', at: 1 })).toEqual([
			[2, 3],
			[4, 1]
		]);
		expect(placed(tiers, 2, { kind: 'alone', at: 2 })).toEqual([[1], [3], [2], [4]]);
		expect(placed(tiers, 3, { kind: 'unranked' })).toEqual([[1], [2], [4]]);
		expect(placed([], 7, { kind: 'alone', at: 5 })).toEqual([[7]]);
		expect(placeOf(tiers, 2)).toEqual({ kind: 'tie', at: 1 });
		expect(placeOf(tiers, 4)).toEqual({ kind: 'alone', at: 2 });
		expect(placeOf(tiers, 9)).toEqual({ kind: 'unranked' });
	});

	it('steps through every place with the arrow keys: above, tied with, below each tier, then unranked', () => {
		expect(placesAround([[1], [2]]).map((p) => (p.kind === 'unranked' ? 'u' : `${p.kind}${p.at}`))).toEqual([
			'alone0',
			'tie0',
			'alone1',
			'tie1',
			'alone2',
			'u'
		]);
		let tiers: number[][] = [[1], [2]];
		const seen: string[] = [];
		for (let i = 0; i < 5; i++) {
			tiers = stepped(tiers, 9, -1).tiers;
			seen.push(JSON.stringify(tiers));
		}
		expect(seen).toEqual(['[[1],[2],[9]]', '[[1],[2,9]]', '[[1],[9],[2]]', '[[1,9],[2]]', '[[9],[1],[2]]']);
		expect(stepped(tiers, 9, -1).moved).toBe(false);
		// A need alone in its tier steps past its own place: down from rank 1 it ties with what was rank 2.
		expect(stepped([[1], [2], [3]], 1, 1).tiers).toEqual([[2, 1], [3]]);
		expect(stepped([[1], [2], [3]], 3, 1).tiers).toEqual([[1], [2]]);
	});

	it('says where a need is', () => {
		const title = (id: number) => `N${id}`;
		expect(positionText([[1], [2, 3, 4]], 2, title)).toBe('rank 2 of 2, tied with N3 and N4');
		expect(positionText([[1], [2, 3]], 3, title)).toBe('rank 2 of 2, tied with N2');
		expect(positionText([[1]], 1, title)).toBe('rank 1 of 1');
		expect(positionText([[1]], 5, title)).toBe('unranked');
	});
});
