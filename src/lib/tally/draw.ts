import { TallyInputError, type CandidateId } from './ballots.ts';
import { sha256Hex } from './sha256.ts';

/** One candidate's place in a seeded draw: its key is SHA-256 of `${seed}:${candidate}`, in hex. */
export interface DrawEntry {
	readonly candidate: CandidateId;
	readonly key: string;
}

/**
 * A permutation of the candidates that depends only on the seed and the ids: each candidate's key is the
 * SHA-256 hex digest of the UTF-8 text `${seed}:${candidate}`, and candidates are sorted by key, smallest
 * first. Anyone can recompute it with `printf '%s' "$seed:$candidate" | sha256sum`. It does not depend on
 * the order of `candidates`, and adding or removing a candidate leaves the others in the same relative order.
 */
export function seededDraw(candidates: readonly CandidateId[], seed: string): DrawEntry[] {
	return drawInOrder(candidates, seed).entries;
}

/** The draw, plus each candidate's position in it, indexed like `candidates`. */
export function drawInOrder(candidates: readonly CandidateId[], seed: string): { entries: DrawEntry[]; positionOf: Int32Array } {
	if (typeof seed !== 'string' || seed === '') throw new TallyInputError('A tie-break seed must be a non-empty string.');
	const keys = candidates.map((candidate) => sha256Hex(`${seed}:${candidate}`));
	const order = candidates.map((_, i) => i).sort((x, y) => compareCodeUnits(keys[x], keys[y]) || compareCodeUnits(candidates[x], candidates[y]));
	const positionOf = new Int32Array(candidates.length);
	order.forEach((candidate, position) => (positionOf[candidate] = position));
	return { entries: order.map((i) => ({ candidate: candidates[i], key: keys[i] })), positionOf };
}

// Keys are lowercase hex of equal length, so code-unit order is numeric order. The id comparison only
// matters for ids whose UTF-8 encodings coincide (lone surrogates all encode as U+FFFD).
const compareCodeUnits = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
