import { z } from 'zod';
import { defineOperation, type Operation } from './http/api.ts';
import type { NotificationRecord } from './notifications.ts';

/*
 * The JSON API of a member's notification records. The records are the platform's (any module may
 * `notify`); which of them a member may still read is the modules' business, so the route asks the
 * query that applies their visibility.
 */

const iso = z.iso.datetime();

export const notificationOut = z.object({
	id: z.number().int(),
	kind: z
		.string()
		.describe(
			'e.g. need.merged (data: sourceId, targetId, title), need.split (data: fromId, newId, title), need.mentioned (data: needId, commentId or null for the description, title, handle and displayName of who mentioned you), need.champion_invited (data: needId, title, role, note, handle, displayName of who asks) or need.champion_invitation_answered (data: needId, title, role, answer accepted|declined, handle, displayName).'
		),
	subjectType: z.string(),
	subjectId: z.number().int().nullable(),
	data: z.record(z.string(), z.unknown()),
	createdAt: iso,
	readAt: iso.nullable()
});

export const notificationJson = (n: NotificationRecord): z.input<typeof notificationOut> => ({
	...n,
	createdAt: n.createdAt.toISOString(),
	readAt: n.readAt ? n.readAt.toISOString() : null
});

const cursor = z.coerce
	.number({ error: 'The cursor is a whole number.' })
	.int('The cursor is a whole number.')
	.positive('The cursor is a whole number.')
	.max(Number.MAX_SAFE_INTEGER);
const limit = z.coerce
	.number({ error: 'Limit is a whole number.' })
	.int('Limit is a whole number.')
	.min(1, 'Limit is at least 1.')
	.max(100, 'Limit is at most 100.')
	.optional();

export const myNotificationsOp = defineOperation({
	id: 'listMyNotifications',
	method: 'GET',
	path: '/me/notifications',
	summary: 'Your notification records, newest first (e.g. a need you support was merged or split).',
	tag: 'members',
	auth: 'required',
	query: z.object({ before: cursor.optional().describe('Continue before this id (the `next` of the previous page).'), limit }),
	response: z.object({ notifications: z.array(notificationOut), next: z.number().int().nullable() })
});

/** The platform's own API operations. */
export const notificationsOperations: readonly Operation[] = [myNotificationsOp];
