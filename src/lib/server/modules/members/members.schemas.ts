import { z } from 'zod';
import { oneLineText, storable, stripBidiControls, userText } from '#lib/server/platform/text.ts';
import { SEGMENTS } from './members.tables.ts';

/** One-line text (a name, an organization): bidi controls stripped, NUL refused (decision 0013). */
const trimmed = (max: number, field: string) => oneLineText({ field, max, tooLong: `${field} is at most ${max} characters.` });

export const email = storable(z.string({ error: 'E-mail is required.' }))
	.trim()
	.toLowerCase()
	.max(254, 'E-mail is at most 254 characters.')
	.pipe(z.email({ error: 'Enter an e-mail address like name@example.org.' }));

export const password = userText({ field: 'Password', trim: false }).min(10, 'Use at least 10 characters.').max(200, 'Use at most 200 characters.');

export const handle = oneLineText({ field: 'Handle' })
	.toLowerCase()
	.min(2, 'A handle has at least 2 characters.')
	.max(32, 'A handle has at most 32 characters.')
	.regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'Use lower-case letters, digits and inner hyphens.');

export const displayName = trimmed(80, 'Name').min(1, 'Name is required.');

export const signUpInput = z.object({ email, password, handle, displayName });
export type SignUpInput = z.input<typeof signUpInput>;

export const signInInput = z.object({
	email,
	password: userText({ field: 'Password', trim: false }).min(1, 'Password is required.').max(200, 'Use at most 200 characters.')
});
export type SignInInput = z.input<typeof signInInput>;

export const changePasswordInput = z
	.object({
		currentPassword: userText({ field: 'Current password', trim: false }).max(200),
		newPassword: password
	})
	.refine((v) => v.currentPassword !== v.newPassword, { path: ['newPassword'], message: 'Choose a password you have not used here.' });
export type ChangePasswordInput = z.input<typeof changePasswordInput>;

const optionalText = (max: number, field: string) =>
	trimmed(max, field)
		.optional()
		.nullable()
		.transform((v) => (v ? v : null));

/** For partial updates: absent means "leave it", null or blank means "clear it". */
const optionalTextPatch = (max: number, field: string) =>
	trimmed(max, field)
		.nullable()
		.transform((v) => (v ? v : null))
		.optional();

export const segment = z.enum(SEGMENTS, { error: `A segment is one of ${SEGMENTS.join(', ')}.` });

const segmentList = z
	.array(segment)
	.max(SEGMENTS.length)
	.transform((s) => [...new Set(s)]);

const bio = userText({ field: 'About', max: 2000, tooLong: 'About is at most 2000 characters.' });

/** The whole profile, as the settings form sends it. */
export const profileInput = z.object({
	displayName,
	handle,
	organization: optionalText(120, 'Organization'),
	segments: segmentList.default([]),
	bio: bio.default('')
});
export type ProfileInput = z.input<typeof profileInput>;

/** A change to the profile: only the fields that are present change (the form sends them all, the API may send some). */
export const profilePatchInput = z.object({
	displayName: displayName.optional(),
	handle: handle.optional(),
	organization: optionalTextPatch(120, 'Organization'),
	segments: segmentList.optional(),
	bio: bio.optional()
});
export type ProfilePatchInput = z.input<typeof profilePatchInput>;

/** A whole number of things; forms send text, so blank text means "not given". */
const wholeNumber = (field: string) =>
	z.preprocess(
		(v) => (typeof v === 'string' ? (v.trim() === '' ? null : Number(v.trim())) : v),
		z
			.number({ error: `${field} is a whole number.` })
			.int(`${field} is a whole number.`)
			.min(0, `${field} cannot be negative.`)
			.max(10_000_000, `${field} is at most 10,000,000.`)
			.nullable()
	);

const count = (field: string) =>
	wholeNumber(field)
		.optional()
		.transform((v) => v ?? null);

/** Lists arrive as arrays from the API and as comma-separated text from forms. */
const list = (field: string, maxItems: number) =>
	z
		.union([z.array(z.string()), z.string()], { error: `List ${field} as an array of text or as comma-separated text.` })
		.transform((v) => (typeof v === 'string' ? v.split(',') : v).map((s) => stripBidiControls(s).trim()).filter(Boolean))
		.pipe(
			z
				.array(storable(z.string()).max(60, `Each of ${field} is at most 60 characters.`))
				.max(maxItems, `List at most ${maxItems} ${field}.`)
				.transform((items) => [...new Set(items)])
		);

const deploymentName = trimmed(100, 'Name').min(1, 'Name is required.');

export const deploymentInput = z.object({
	name: deploymentName,
	nodes: count('Nodes'),
	instances: count('Instances'),
	releases: list('releases', 20).default([]),
	components: list('components', 60).default([]),
	region: optionalText(80, 'Region')
});
export type DeploymentInput = z.input<typeof deploymentInput>;

/** A change to a deployment: absent fields stay as they are. */
export const deploymentPatchInput = z.object({
	name: deploymentName.optional(),
	nodes: wholeNumber('Nodes').optional(),
	instances: wholeNumber('Instances').optional(),
	releases: list('releases', 20).optional(),
	components: list('components', 60).optional(),
	region: optionalTextPatch(80, 'Region')
});
export type DeploymentPatchInput = z.input<typeof deploymentPatchInput>;

/** Identities travel as numbers in the API and as text in forms and paths. */
export const id = z.coerce
	.number({ error: 'An id is a whole number.' })
	.int('An id is a whole number.')
	.positive('An id is a whole number.')
	.max(Number.MAX_SAFE_INTEGER, 'An id is a whole number.');

export const deploymentRef = z.object({ id });

export const tokenInput = z.object({ name: trimmed(60, 'Name').min(1, 'Name is required.') });
export type TokenInput = z.input<typeof tokenInput>;

export const tokenRef = z.object({ id });

/** Forms send "true"/"false"; the API sends a boolean. */
const flag = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')], { error: 'Say true or false.' });

export const setAdminInput = z.object({
	handle: oneLineText({ field: 'Handle' }).toLowerCase().min(1, 'Handle is required.').max(100, 'No member has that handle.'),
	isAdmin: flag
});
export type SetAdminInput = z.input<typeof setAdminInput>;

/** An administrator's reset link for a member (members.reset.ts); the handle may come with its @. */
export const resetLinkInput = z.object({
	handle: z
		.string({ error: 'Handle is required.' })
		.trim()
		.toLowerCase()
		.transform((v) => v.replace(/^@/, ''))
		.pipe(z.string().min(1, 'Handle is required.').max(100, 'No member has that handle.'))
});
export type ResetLinkInput = z.input<typeof resetLinkInput>;

export const resetPasswordInput = z.object({ password });
export type ResetPasswordInput = z.input<typeof resetPasswordInput>;

/** The members directory: search text, a segment, a keyset cursor and a page size. */
export const memberListInput = z.object({
	q: oneLineText({ field: 'Search', required: 'Search is text.' })
		.max(100, 'Search for at most 100 characters.')
		.optional()
		.transform((v) => v || undefined),
	segment: z.preprocess((v) => (v === '' ? undefined : v), segment.optional()),
	after: userText({ field: 'Cursor', trim: false, required: 'That cursor is not one we gave out.' })
		.max(100, 'That cursor is not one we gave out.')
		.optional()
		.transform((v) => v || undefined),
	limit: z.coerce
		.number({ error: 'The limit is a whole number.' })
		.int('The limit is a whole number.')
		.min(1, 'The limit is at least 1.')
		.max(200, 'The limit is at most 200.')
		.optional()
});
export type MemberListInput = z.input<typeof memberListInput>;

export const activityListInput = z.object({
	before: id.optional(),
	limit: z.coerce.number().int().min(1).max(200).optional()
});
