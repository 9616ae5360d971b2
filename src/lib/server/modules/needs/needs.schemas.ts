import { z } from 'zod';
import { oneLineText, storable, stripBidiControls, textProblem, userText } from '#lib/server/platform/text.ts';
import { NEED_KINDS, NEED_STATUSES, SOURCE_CHANNELS } from './needs.tables.ts';

export const TITLE_MAX = 200;
export const BODY_MAX = 20_000;
export const COMMENT_MAX = 10_000;
export const REASON_MAX = 2_000;

/** Text of any shape (Markdown, a reason): NUL refused, bidi controls kept (decision 0013). */
const text = (field: string, max: number) => userText({ field, max });
/** A title or a name: bidi controls stripped as well. */
const line = (field: string, max: number) => oneLineText({ field, max });

/** Lists arrive as arrays from the API and as comma-separated text from forms. */
const list = (field: string, maxItems: number, maxLength = 60) =>
	z
		.union([z.array(z.string()), z.string()], { error: `List ${field} as text separated by commas, or as an array of text.` })
		.default([])
		.transform((v) => (typeof v === 'string' ? v.split(',') : v).map((s) => stripBidiControls(s).trim()).filter(Boolean))
		.pipe(
			z
				.array(z.string())
				.max(maxItems, `List at most ${maxItems} ${field}.`)
				.superRefine((items, issue) => {
					const problem = items.map(textProblem).find(Boolean);
					if (problem) issue.addIssue({ code: 'custom', message: problem });
				})
				// Checked on the list, not per item, so the message lands on the form's field (not "tags.0").
				.refine((items) => items.every((s) => s.length <= maxLength), `Each of ${field} is at most ${maxLength} characters.`)
				.transform((items) => [...new Set(items)])
		);

const id = (field: string) =>
	z.coerce
		.number({ error: `${field} must be an id.` })
		.int(`${field} must be an id.`)
		.positive(`${field} must be an id.`)
		.max(Number.MAX_SAFE_INTEGER);
const optionalId = (field: string) =>
	z
		.union([z.literal(''), z.null(), id(field)], { error: `${field} must be an id.` })
		// zod 4 treats a key as optional only when its schema says so; a union with z.undefined() does not.
		.optional()
		.transform((v) => (v === '' || v === undefined ? null : v));

export const kind = z.enum(NEED_KINDS, { error: `Kind is one of ${NEED_KINDS.join(', ')}.` });
export const status = z.enum(NEED_STATUSES, { error: `Status is one of ${NEED_STATUSES.join(', ')}.` });
export const sourceChannel = z.enum(SOURCE_CHANNELS, { error: `Source is one of ${SOURCE_CHANNELS.join(', ')}.` });

export const needInput = z
	.object({
		title: line('Title', TITLE_MAX).min(8, 'Give the need a title of at least 8 characters that says what hurts.'),
		body: text('Description', BODY_MAX).default(''),
		kind,
		components: list('components', 20, 80),
		tags: list('tags', 20, 40).transform((tags) => tags.map((t) => t.toLowerCase())),
		releases: list('releases', 20, 40),
		groupId: optionalId('Group'),
		sourceChannel: sourceChannel.default('direct'),
		sourceUrl: z
			.union([
				z.literal(''),
				z.null(),
				storable(z.url({ protocol: /^https?$/, error: 'Link must be an http(s) URL.' }).max(2000, 'Link is at most 2,000 characters.'))
			])
			.optional()
			.transform((v) => v || null),
		sourceNote: line('Source note', 500)
			.optional()
			.nullable()
			.transform((v) => v || null),
		/** One of the filer's deployments, cited by their own support as evidence (issue 11). */
		deploymentId: optionalId('Deployment')
	})
	.superRefine((v, issue) => {
		if (v.sourceChannel === 'vendor_relay' && !v.sourceNote) {
			issue.addIssue({ code: 'custom', path: ['sourceNote'], message: 'Say on whose behalf the vendor relays this need.' });
		}
		if ((v.sourceChannel === 'mailing_list' || v.sourceChannel === 'session') && !v.sourceUrl) {
			issue.addIssue({ code: 'custom', path: ['sourceUrl'], message: 'Link the thread or session this need came from.' });
		}
	});
export type FileNeedInput = z.input<typeof needInput>;

/**
 * A field an edit leaves out keeps its value. What is sent is not checked here but with the need's other
 * fields, as a whole, by `needInput`; the type says what the field takes there.
 */
const kept = <S extends z.ZodType>(_field: S) => z.custom<z.input<S>>().optional();

/** What an edit may change: the need's words and facets. Group, status and visibility are triage's. */
export const needPatchInput = z.object({
	title: kept(needInput.shape.title),
	body: kept(needInput.shape.body),
	kind: kept(needInput.shape.kind),
	components: kept(needInput.shape.components),
	tags: kept(needInput.shape.tags),
	releases: kept(needInput.shape.releases),
	sourceChannel: kept(needInput.shape.sourceChannel),
	sourceUrl: kept(needInput.shape.sourceUrl),
	sourceNote: kept(needInput.shape.sourceNote)
});
export type EditNeedInput = z.input<typeof needPatchInput>;

export const supportInput = z.object({
	deploymentId: optionalId('Deployment'),
	impact: text('Impact', 1000)
		.optional()
		.nullable()
		.transform((v) => v || null)
});
export type SupportNeedInput = z.input<typeof supportInput>;

export const commentInput = z.object({ body: text('Comment', COMMENT_MAX).min(1, 'Write something first.') });
export type CommentInput = z.input<typeof commentInput>;

export const reasonInput = z.object({ reason: text('Reason', REASON_MAX).min(3, 'Give a reason of at least 3 characters.') });
/** Hiding, unhiding, locking and unlocking a need, and hiding a comment: a moderator's reason. */
export type ReasonInput = z.input<typeof reasonInput>;

/**
 * Every status change says why, in at least this many characters. The reason is shown on the need, under
 * its status, and in its history: it is what the people who filed and support the need read to learn what
 * the group decided. Accepting, sending back and reopening are decisions they care about as much as a
 * decline, so one rule holds for every status (it used to be one character for the others and ten for a
 * decline, which made the friendly choice the easy one to leave unexplained). Ten characters is a short
 * sentence ("Fits 2027.1", "Reproduced"), not an essay, so bulk triage with one reason for all stays light.
 */
export const STATUS_REASON_MIN = 10;
export const STATUS_REASON_RULE = `Every status change says why, in at least ${STATUS_REASON_MIN} characters. It is shown on the need and in its history.`;

/** A status change's reason, for one need or for several at once (triageMany). */
const statusReason = text('Reason', REASON_MAX)
	.default('')
	.refine((reason) => reason.length >= STATUS_REASON_MIN, `Say why in at least ${STATUS_REASON_MIN} characters: the reason is shown on the need.`);

/** The status a need moves to: chosen on purpose (the form pre-selects none), never `duplicate` (that is a merge). */
const chosenStatus = z
	.enum(NEED_STATUSES, {
		error: (issue) => (issue.input === undefined || issue.input === '' ? 'Choose the new status.' : `Status is one of ${NEED_STATUSES.join(', ')}.`)
	})
	.refine((s) => s !== 'duplicate', 'Merge the need into the one it duplicates instead.');

export const statusChangeInput = z.object({ status: chosenStatus, reason: statusReason });
export type ChangeStatusInput = z.input<typeof statusChangeInput>;

/** What a chair may do to several of a group's needs at once, from the group's triage queue. */
export const TRIAGE_ACTIONS = ['accept', 'decline', 'tag', 'component'] as const;
export type TriageAction = (typeof TRIAGE_ACTIONS)[number];
/** At most this many needs in one bulk action: a page of the queue and then some. */
export const TRIAGE_MANY_MAX = 100;

export const triageManyInput = z
	.object({
		action: z.enum(TRIAGE_ACTIONS, {
			error: (issue) => (issue.input === undefined || issue.input === '' ? 'Choose what to do.' : `Action is one of ${TRIAGE_ACTIONS.join(', ')}.`)
		}),
		needIds: z
			.array(id('Need'), { error: 'Select the needs to act on.' })
			.min(1, 'Select at least one need.')
			.max(TRIAGE_MANY_MAX, `Select at most ${TRIAGE_MANY_MAX} needs at once.`)
			.transform((ids) => [...new Set(ids)]),
		/** accept and decline: one reason for all, by the rule of a single status change. */
		reason: text('Reason', REASON_MAX).default(''),
		/** tag: the tag to add. */
		tag: line('Tag', 40)
			.default('')
			.refine((t) => !t.includes(','), 'One tag at a time, without commas.')
			.transform((t) => t.toLowerCase()),
		/** component: the slug of the component to add. */
		component: line('Component', 80)
			.default('')
			.transform((c) => c.toLowerCase())
	})
	.superRefine(
		(v, issue) => {
			if ((v.action === 'accept' || v.action === 'decline') && v.reason.length < STATUS_REASON_MIN)
				issue.addIssue({
					code: 'custom',
					path: ['reason'],
					message: `Say why in at least ${STATUS_REASON_MIN} characters: the reason is shown on each need.`
				});
			if (v.action === 'tag' && !v.tag) issue.addIssue({ code: 'custom', path: ['tag'], message: 'Give the tag to add.' });
			if (v.action === 'component' && !v.component) issue.addIssue({ code: 'custom', path: ['component'], message: 'Choose the component to add.' });
		},
		// Checked even when no need is selected, so the form says everything that is missing at once.
		{ when: (payload) => payload.issues.every((i) => i.path?.[0] === 'needIds') }
	);
export type TriageManyInput = z.input<typeof triageManyInput>;

export const mergeInput = z
	.object({ sourceId: id('Need'), targetId: id('Target need'), reason: text('Reason', REASON_MAX).min(3, 'Give a reason of at least 3 characters.') })
	.refine((v) => v.sourceId !== v.targetId, { path: ['targetId'], message: 'A need cannot be merged into itself.' });
export type MergeNeedInput = z.input<typeof mergeInput>;

export const splitInput = z.object({
	title: needInput.shape.title,
	body: needInput.shape.body,
	kind,
	reason: text('Reason', REASON_MAX).min(3, 'Give a reason of at least 3 characters.')
});
export type SplitNeedInput = z.input<typeof splitInput>;

export const componentInput = z.object({
	name: line('Name', 80).min(2, 'Name is at least 2 characters.'),
	slug: oneLineText({ field: 'Slug' })
		.toLowerCase()
		.min(2, 'Slug is at least 2 characters.')
		.max(40, 'Slug is at most 40 characters.')
		.regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'Use lower-case letters, digits and inner hyphens.'),
	description: text('Description', 500).default('')
});
export type CreateComponentInput = z.input<typeof componentInput>;

/** A component's change: fields left out keep their values; the result is checked as a whole by `componentInput`. */
export const componentPatchInput = z.object({
	name: kept(componentInput.shape.name),
	slug: kept(componentInput.shape.slug),
	description: kept(componentInput.shape.description)
});
export type UpdateComponentInput = z.input<typeof componentPatchInput>;
