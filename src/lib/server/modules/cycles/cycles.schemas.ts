import { z } from 'zod';
import { oneLineText } from '#lib/server/platform/text.ts';

/** How the project names its cycles: the year and the cycle in it, e.g. 2027.1. Also the URL key. */
export const CYCLE_SLUG = /^\d{4}\.\d{1,2}$/;

const isoDay = (field: string) =>
	oneLineText({ field })
		.regex(/^\d{4}-\d{2}-\d{2}$/, `${field} is a date like 2027-03-31.`)
		.refine((v) => {
			const d = new Date(`${v}T00:00:00Z`);
			return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
		}, `${field} is not a date in the calendar.`);

export const cycleSlug = oneLineText({ field: 'Cycle' }).regex(CYCLE_SLUG, 'A cycle is named like 2027.1: the year, a dot, the cycle in that year.');

const fields = {
	slug: cycleSlug,
	name: oneLineText({ field: 'Name', required: 'Name is text.', max: 80 })
		.nullish()
		.transform((v) => v || null),
	startsOn: isoDay('Start'),
	endsOn: isoDay('End')
};

const ordered = (v: { startsOn: string; endsOn: string }, issue: z.RefinementCtx) => {
	if (v.startsOn > v.endsOn) issue.addIssue({ code: 'custom', path: ['endsOn'], message: 'The cycle ends on or after the day it starts.' });
};

export const cycleInput = z.object(fields).superRefine(ordered);
export type CycleInput = z.input<typeof cycleInput>;

/** Updating may rename the slug too; every field is required so the form states the whole cycle. */
export const cycleUpdateInput = cycleInput;
export type CycleUpdateInput = z.input<typeof cycleUpdateInput>;
