import { z } from 'zod';
import { cycleSlug } from '#lib/server/modules/cycles/index.ts';
import { oneLineText, textProblem, userText } from '#lib/server/platform/text.ts';

export const MAX_CANDIDATES = 60;
export const TITLE_MAX = 120;
export const NOTE_MAX = 2_000;

const needId = z.coerce
	.number({ error: 'Each candidate is a need id.' })
	.int('Each candidate is a need id.')
	.positive('Each candidate is a need id.')
	.max(Number.MAX_SAFE_INTEGER);

/**
 * A closing time: an ISO date-time with a zone from the API, or the `datetime-local` value of the form
 * (no zone, read as UTC, which the form says). Blank means the chair closes the round by hand.
 */
const closesAt = z
	.union([z.literal(''), z.null(), z.date(), z.string()], { error: 'Closing time is a date and time like 2027-02-01T12:00.' })
	.optional()
	.transform((v, issue) => {
		if (v === '' || v === null || v === undefined) return null;
		// Already parsed once (the API validates the body, then the command validates its input).
		if (v instanceof Date) return v;
		const problem = textProblem(v);
		if (problem) {
			issue.addIssue({ code: 'custom', message: problem });
			return z.NEVER;
		}
		const text = v.trim();
		const local = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(text);
		const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
		const at = local ? new Date(`${text}Z`) : zoned ? new Date(text) : null;
		if (!at || Number.isNaN(at.getTime())) {
			issue.addIssue({ code: 'custom', message: 'Closing time is a date and time like 2027-02-01T12:00 (UTC).' });
			return z.NEVER;
		}
		return at;
	});

export const openRoundInput = z.object({
	cycle: cycleSlug,
	title: oneLineText({ field: 'Title' }).min(3, 'Give the round a title of at least 3 characters.').max(TITLE_MAX, `Title is at most ${TITLE_MAX} characters.`),
	closesAt,
	candidates: z
		.array(needId, { error: 'Candidates are a list of need ids.' })
		.max(MAX_CANDIDATES, `A round ranks at most ${MAX_CANDIDATES} needs.`)
		.refine((ids) => new Set(ids).size === ids.length, 'A need is listed twice.')
		.refine((ids) => ids.length >= 2, 'Pick at least two needs to rank.')
});
export type OpenRoundInput = z.input<typeof openRoundInput>;

/**
 * A ballot: tiers of candidate need ids, most preferred first; the needs in one tier are ranked equal,
 * and needs not listed rank below every listed one. An empty ranking is a ballot with no preference.
 */
export const ballotInput = z.object({
	ranking: z
		.array(z.array(needId, { error: 'Each tier is a list of need ids.' }).min(1, 'A tier lists at least one need.'), {
			error: 'Ranking is a list of tiers, each a list of need ids.'
		})
		.max(MAX_CANDIDATES, `A ranking has at most ${MAX_CANDIDATES} tiers.`)
		.refine((tiers) => {
			const all = tiers.flat();
			return new Set(all).size === all.length;
		}, 'A need is ranked twice: give each need one place.')
});
export type BallotInput = z.input<typeof ballotInput>;

export const publishInput = z.object({
	note: userText({ field: 'Note', required: 'Note is text.', max: NOTE_MAX })
		.nullish()
		.transform((v) => v ?? '')
});
export type PublishInput = z.input<typeof publishInput>;

export const RANK_FIELD = 'rank-';

/**
 * The ballot form: one select per candidate named `rank-<need id>`, holding a rank number or blank.
 * Equal numbers are a tie; blank is unranked; gaps do not matter (1, 1, 3 and 1, 1, 2 mean the same).
 * Field errors come back on the candidate's own select.
 */
export function rankingFromForm(values: Record<string, unknown>, candidateIds: readonly number[]): { ranking: number[][]; errors: Record<string, string> } {
	const byRank = new Map<number, number[]>();
	const errors: Record<string, string> = {};
	for (const id of candidateIds) {
		const raw = values[`${RANK_FIELD}${id}`];
		if (raw === undefined || raw === '') continue;
		const rank = typeof raw === 'string' && /^\d{1,3}$/.test(raw) ? Number(raw) : NaN;
		if (!Number.isInteger(rank) || rank < 1 || rank > candidateIds.length) {
			errors[`${RANK_FIELD}${id}`] = `Pick a rank from 1 to ${candidateIds.length}, or leave it unranked.`;
			continue;
		}
		byRank.set(rank, [...(byRank.get(rank) ?? []), id]);
	}
	for (const key of Object.keys(values)) {
		if (key.startsWith(RANK_FIELD) && !candidateIds.includes(Number(key.slice(RANK_FIELD.length)))) {
			errors[key] = 'This need is not a candidate in this round.';
		}
	}
	const ranking = [...byRank.entries()].sort(([a], [b]) => a - b).map(([, ids]) => ids);
	return { ranking, errors };
}
