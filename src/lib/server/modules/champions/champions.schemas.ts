import { z } from 'zod';
import { oneLineText, userText } from '#lib/server/platform/text.ts';
import { CHAMPION_ROLES, CHANGE_STATES } from './champions.tables.ts';
import { CHANGE_URL_MAX, parseChangeUrl } from './champions.urls.ts';

export const NOTE_MAX = 500;
export const REASON_MAX = 2000;

export const role = z.enum(CHAMPION_ROLES, { error: 'Role is champion (you carry it upstream) or sponsor (you review or mentor).' });
export const changeState = z.enum(CHANGE_STATES, { error: 'State is open, merged or abandoned.' });

/** The optional note a member gives when standing: volunteering, or accepting an invitation. */
const standingNote = userText({ field: 'Note', required: 'Note is text.', max: NOTE_MAX, tooLong: `Note is at most ${NOTE_MAX} characters.` })
	.optional()
	.nullable()
	.transform((v) => v ?? '');

export const volunteerInput = z.object({ role, note: standingNote });
export type VolunteerInput = z.input<typeof volunteerInput>;

export const inviteChampionInput = z.object({
	/** The member asked, by handle; a leading @ is fine. */
	handle: oneLineText({ field: 'Handle', required: 'Name the member to ask, by handle.' })
		.transform((v) => v.replace(/^@/, '').toLowerCase())
		.pipe(z.string().min(1, 'Name the member to ask, by handle.').max(100, 'No member has that handle.')),
	role: role.optional().transform((v) => v ?? 'champion'),
	/** Why them, in the asker's words: sent with the invitation. */
	note: standingNote
});
export type InviteChampionInput = z.input<typeof inviteChampionInput>;

export const acceptInvitationInput = z.object({ note: standingNote });
export type AcceptInvitationInput = z.input<typeof acceptInvitationInput>;

export const removeChampionInput = z.object({
	reason: userText({ field: 'Reason' })
		.min(3, 'Give a reason of at least 3 characters.')
		.max(REASON_MAX, `Reason is at most ${REASON_MAX.toLocaleString('en')} characters.`)
});
export type RemoveChampionInput = z.input<typeof removeChampionInput>;

export const linkChangeInput = z.object({
	url: oneLineText({ field: 'Address' })
		.min(1, 'Paste the address of the review or pull request.')
		.max(CHANGE_URL_MAX, `Address is at most ${CHANGE_URL_MAX.toLocaleString('en')} characters.`)
		.transform((value, ctx) => {
			const ref = parseChangeUrl(value);
			if (!ref) {
				ctx.addIssue({
					code: 'custom',
					message:
						'Link a Gerrit change (…/c/<project>/+/<number>), a GitHub pull request (…/pull/<number>) or a GitLab merge request (…/-/merge_requests/<number>).'
				});
				return z.NEVER;
			}
			return ref;
		}),
	state: changeState.optional().transform((v) => v ?? 'open')
});
export type LinkChangeInput = z.input<typeof linkChangeInput>;

export const changeStateInput = z.object({ state: changeState });
export type ChangeStateInput = z.input<typeof changeStateInput>;
