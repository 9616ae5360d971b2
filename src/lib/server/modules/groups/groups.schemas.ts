import { z } from 'zod';
import { handle } from '#lib/server/modules/members/index.ts';
import { oneLineText, userText } from '#lib/server/platform/text.ts';
import { GROUP_KINDS, GROUP_ROLES, GROUP_VISIBILITIES } from './groups.tables.ts';

/** Text of any shape (a summary, a message): NUL refused, bidi controls kept (decision 0013). */
const trimmed = (max: number, field: string) => userText({ field, max, tooLong: `${field} is at most ${max} characters.` });
/** A name: bidi controls stripped as well. */
const line = (max: number, field: string) => oneLineText({ field, max, tooLong: `${field} is at most ${max} characters.` });

/** Paths under /groups that a slug may not take, because a page already lives there. */
export const RESERVED_SLUGS = ['new'] as const;

export const groupSlug = oneLineText({ field: 'Address' })
	.toLowerCase()
	.min(2, 'An address has at least 2 characters.')
	.max(48, 'An address has at most 48 characters.')
	.regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, 'Use lower-case letters, digits and inner hyphens.')
	.refine((s) => !(RESERVED_SLUGS as readonly string[]).includes(s), 'That address is reserved; choose another.');

/** A slug made from a name: "Large Scale SIG" → "large-scale-sig". May come out empty for names without Latin letters or digits. */
export function slugify(name: string): string {
	return name
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.slice(0, 48)
		.replace(/^-+|-+$/g, '');
}

export const groupName = line(120, 'Name').min(2, 'A name has at least 2 characters.');
export const groupKind = z.enum(GROUP_KINDS, { error: `Choose a kind: ${GROUP_KINDS.join(', ')}.` });
export const groupVisibility = z.enum(GROUP_VISIBILITIES, { error: 'Visibility is open or closed.' });
export const groupRole = z.enum(GROUP_ROLES, { error: `A role is one of ${GROUP_ROLES.join(', ')}.` });
export const groupSummary = trimmed(500, 'Summary');
export const groupCharter = userText({ field: 'Charter', required: 'Charter is text.', trim: false }).max(20_000, 'The charter is at most 20,000 characters.');
const message = trimmed(1000, 'Message');

const groupFields = {
	name: groupName,
	kind: groupKind,
	visibility: groupVisibility,
	summary: groupSummary.default(''),
	charter: groupCharter.default('')
};

const createGroupFields = z.object({ slug: groupSlug, ...groupFields });

/** A missing or empty slug is made from the name, so a form can leave it blank. */
export const createGroupInput = z.preprocess(
	// Typed for callers in code; a form's values still reach it through untrusted() (decision 0016), so it checks what it got.
	(raw: Omit<z.input<typeof createGroupFields>, 'slug'> & { slug?: string | null }) => {
		if (!raw || typeof raw !== 'object') return raw;
		const value = raw as Record<string, unknown>;
		if ((value.slug === undefined || value.slug === null || value.slug === '') && typeof value.name === 'string') {
			return { ...value, slug: slugify(value.name) || undefined };
		}
		return value;
	},
	createGroupFields
);
export type CreateGroupInput = z.input<typeof createGroupInput>;

/** Every field is optional: the API sends what changes, the edit form sends everything. The slug never changes. */
export const updateGroupInput = z.object({
	name: groupName.optional(),
	kind: groupKind.optional(),
	visibility: groupVisibility.optional(),
	summary: groupSummary.optional(),
	charter: groupCharter.optional()
});
export type UpdateGroupInput = z.input<typeof updateGroupInput>;

export const requestToJoinInput = z.object({ message: message.default('') });
export type RequestToJoinInput = z.input<typeof requestToJoinInput>;

/** The handle may come with its @, as people write it. */
const invitee = oneLineText({ field: 'Handle' })
	.transform((v) => v.replace(/^@/, ''))
	.pipe(handle);
export const inviteInput = z.object({ handle: invitee, message: message.default('') });
export type InviteInput = z.input<typeof inviteInput>;

export const setRoleInput = z.object({ role: groupRole });
export type SetRoleInput = z.input<typeof setRoleInput>;

export const listGroupsInput = z.object({
	kind: oneLineText({ field: 'Kind', required: 'Kind is text.' })
		.optional()
		.transform((v) => v || undefined)
		.pipe(groupKind.optional())
});

export const MEMBERSHIP_LIST_STATES = ['active', 'requested', 'invited'] as const;
export const listMembershipsInput = z.object({
	state: z.enum(MEMBERSHIP_LIST_STATES, { error: 'State is active, requested or invited.' }).default('active')
});
