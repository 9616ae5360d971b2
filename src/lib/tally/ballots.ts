// The ballot format shared by every tally method, and its validation. Ballots may come from a published
// file rather than from our own code, so the checks run at run time too, not only through the types.

/** A candidate's stable id, as it appears on ballots. */
export type CandidateId = string;

/** Candidates a voter ranks equally. */
export type Tier = readonly CandidateId[];

/**
 * One voter's ranking, most preferred tier first. Candidates the ballot does not list rank below every
 * listed one and are tied among themselves, so an empty ranking expresses no preference at all.
 */
export interface Ballot {
	readonly ranking: readonly Tier[];
	/** How many voters cast this same ranking; 1 when absent. A positive integer, so sums stay exact. */
	readonly weight?: number;
}

/** Input a tally cannot be computed from: the message names the ballot and the candidate at fault. */
export class TallyInputError extends Error {
	/** Position of the offending ballot in the array passed in, or null when the problem is elsewhere. */
	readonly ballotIndex: number | null;
	constructor(message: string, ballotIndex: number | null = null) {
		super(message);
		this.name = 'TallyInputError';
		this.ballotIndex = ballotIndex;
	}
}

/** Position of each candidate in the candidate list: every matrix row and column follows this order. */
export type CandidateIndex = ReadonlyMap<CandidateId, number>;

export function indexCandidates(candidates: readonly CandidateId[]): CandidateIndex {
	if (!Array.isArray(candidates)) throw new TallyInputError('The candidates must be an array of ids.');
	if (candidates.length === 0) throw new TallyInputError('There are no candidates: a tally needs at least one.');
	const index = new Map<CandidateId, number>();
	candidates.forEach((candidate, position) => {
		if (typeof candidate !== 'string' || candidate === '') {
			throw new TallyInputError(`Candidate at position ${position} is ${JSON.stringify(candidate)}; ids must be non-empty strings.`);
		}
		if (index.has(candidate)) throw new TallyInputError(`Candidate ${JSON.stringify(candidate)} appears twice in the candidate list.`);
		index.set(candidate, position);
	});
	return index;
}

/** The ballot's weight, checked: integers keep every count exact, so the result cannot depend on ballot order. */
export function weightOf(ballot: Ballot, ballotIndex: number): number {
	if (ballot === null || typeof ballot !== 'object' || !Array.isArray(ballot.ranking)) {
		throw new TallyInputError(`Ballot at index ${ballotIndex} has no ranking array.`, ballotIndex);
	}
	const weight = ballot.weight ?? 1;
	if (!Number.isSafeInteger(weight) || weight < 1) {
		throw new TallyInputError(`Ballot at index ${ballotIndex} has weight ${JSON.stringify(ballot.weight)}; a weight must be a positive integer.`, ballotIndex);
	}
	return weight;
}

export function malformedTier(ballotIndex: number, tierIndex: number): TallyInputError {
	return new TallyInputError(`Ballot at index ${ballotIndex}: tier ${tierIndex} must be a non-empty array of candidate ids.`, ballotIndex);
}

export function unknownCandidate(ballotIndex: number, candidate: unknown): TallyInputError {
	return new TallyInputError(`Ballot at index ${ballotIndex} ranks ${JSON.stringify(candidate)}, which is not a candidate.`, ballotIndex);
}

export function listedTwice(ballotIndex: number, candidate: CandidateId): TallyInputError {
	return new TallyInputError(`Ballot at index ${ballotIndex} lists candidate ${JSON.stringify(candidate)} twice.`, ballotIndex);
}
