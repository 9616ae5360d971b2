// Tallies of ranked ballots: pure functions, no I/O, usable on the server and in the browser.
// Format, method and tie-break are specified in docs/tally.md.
export { TallyInputError, type Ballot, type CandidateId, type Tier } from './ballots.ts';
export { pairwiseMatrix, type PairwiseMatrix } from './pairwise.ts';
export { schulze, type SchulzeOptions, type SchulzeResult, type TieBreak } from './schulze.ts';
export { seededDraw, type DrawEntry } from './draw.ts';
