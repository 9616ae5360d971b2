import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { seededDraw } from './index.ts';
import { sha256Hex } from './sha256.ts';

const nodeSha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('SHA-256', () => {
	it('matches the FIPS 180-4 test vectors', () => {
		expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
		expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
		expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
	});

	it('matches node:crypto on any text, across block boundaries and beyond ASCII', () => {
		fc.assert(
			fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (text) => {
				expect(sha256Hex(text)).toBe(nodeSha256(text));
			})
		);
		for (let length = 50; length < 140; length++) expect(sha256Hex('x'.repeat(length))).toBe(nodeSha256('x'.repeat(length)));
	});
});

describe('the seeded draw', () => {
	it('sorts candidates by the hex SHA-256 of `seed:candidate`', () => {
		fc.assert(
			fc.property(fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 8 }), fc.string({ minLength: 1 }), (candidates, seed) => {
				const draw = seededDraw(candidates, seed);
				expect(draw.map((entry) => entry.key)).toEqual(draw.map((entry) => nodeSha256(`${seed}:${entry.candidate}`)));
				expect(draw.map((entry) => entry.key)).toEqual(draw.map((entry) => entry.key).sort());
				expect(draw.map((entry) => entry.candidate).sort()).toEqual([...candidates].sort());
			})
		);
	});

	it('keeps the relative order of the others when a candidate is added', () => {
		fc.assert(
			fc.property(fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 2, maxLength: 8 }), fc.string({ minLength: 1 }), (candidates, seed) => {
				const fewer = seededDraw(candidates.slice(1), seed).map((entry) => entry.candidate);
				const more = seededDraw(candidates, seed).map((entry) => entry.candidate);
				expect(more.filter((c) => c !== candidates[0])).toEqual(fewer);
			})
		);
	});
});
