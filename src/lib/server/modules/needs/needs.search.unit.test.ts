import { describe, expect, it } from 'vitest';
import { parseSearch } from './needs.search.ts';

describe('parseSearch: the search box as web search engines read it', () => {
	it('reads words, "phrases", -exclusions and or', () => {
		expect(parseSearch('rabbitmq  cluster')).toEqual([
			[
				{ kind: 'words', text: 'rabbitmq', excluded: false },
				{ kind: 'words', text: 'cluster', excluded: false }
			]
		]);
		expect(parseSearch('"live migration" -nova -"cold migration" numa OR ovn')).toEqual([
			[
				{ kind: 'phrase', text: 'live migration', excluded: false },
				{ kind: 'phrase', text: 'nova', excluded: true },
				{ kind: 'phrase', text: 'cold migration', excluded: true },
				{ kind: 'words', text: 'numa', excluded: false }
			],
			[{ kind: 'words', text: 'ovn', excluded: false }]
		]);
	});

	it('forgives what a person types: an open quote, a lone dash, or and quotes with nothing between', () => {
		expect(parseSearch('"live migra')).toEqual([[{ kind: 'phrase', text: 'live migra', excluded: false }]]);
		expect(parseSearch('"" or or live-migration -')).toEqual([
			[
				{ kind: 'words', text: 'live-migration', excluded: false },
				// A dash alone is a word without letters: the analysis leaves it out.
				{ kind: 'words', text: '-', excluded: false }
			]
		]);
		expect(parseSearch('or')).toEqual([]);
		expect(parseSearch('   ')).toEqual([]);
	});
});
