import { z } from 'zod';
import { defineOperation } from '#lib/server/platform/http/api.ts';
import {
	commentInput,
	reasonInput,
	splitInput,
	statusChangeInput,
	supportInput,
	triageManyInput,
	REASON_MAX,
	STATUS_REASON_RULE,
	TRIAGE_ACTIONS
} from './needs.schemas.ts';
import { NEED_KINDS, NEED_STATUSES } from './needs.tables.ts';
import type { Need, NeedMerge } from './needs.model.ts';
import type { TriageManyResult } from './needs.triage.ts';
import type { SupportState } from './needs.supports.ts';
import type { NeedComment } from './needs.comments.ts';
import type { HistoryEntry, MergeRecord } from './needs.history.ts';

/*
 * The JSON API of acting on a need: support, follow, comments, triage, merge, split, moderation and history.
 * Reading and filing needs are in needs.api.ts.
 */

// ---------------------------------------------------------------------------------------------------
// What the API returns; dates travel as ISO 8601 strings.

const iso = z.iso.datetime();
const memberRefOut = z.object({ id: z.number().int(), handle: z.string(), displayName: z.string() });
const needRefOut = z.object({ id: z.number().int(), title: z.string(), status: z.enum(NEED_STATUSES) });

export const supportStateOut = z.object({
	needId: z.number().int().describe('The need the support counts on: the one asked for, or the need it was merged into.'),
	redirectedFrom: z
		.number()
		.int()
		.nullable()
		.describe('Set when the need asked for is a duplicate: its id. Supporting a duplicate supports the need it was merged into.'),
	supportCount: z.number().int().describe('Distinct members supporting the need or a need merged into it.'),
	supporting: z.boolean(),
	following: z.boolean()
});

export const needStateOut = z.object({
	id: z.number().int(),
	title: z.string(),
	kind: z.enum(NEED_KINDS),
	status: z.enum(NEED_STATUSES),
	statusReason: z.string().nullable(),
	groupId: z.number().int().nullable(),
	duplicateOfId: z.number().int().nullable(),
	supportCount: z.number().int(),
	commentCount: z.number().int(),
	publishedAt: iso.nullable(),
	hiddenAt: iso.nullable(),
	hiddenReason: z.string().nullable(),
	lockedAt: iso.nullable(),
	updatedAt: iso
});

export const commentOut = z.object({
	id: z.number().int(),
	needId: z.number().int(),
	author: memberRefOut.nullable(),
	body: z.string().nullable().describe('Markdown. Null when deleted, or when hidden and the caller does not moderate the need.'),
	state: z.enum(['visible', 'hidden', 'deleted']),
	createdAt: iso,
	editedAt: iso.nullable(),
	deletedAt: iso.nullable(),
	hiddenAt: iso.nullable(),
	hiddenReason: z.string().nullable(),
	abilities: z.object({ edit: z.boolean(), delete: z.boolean(), hide: z.boolean() })
});

export const mergeOut = z.object({
	id: z.number().int(),
	sourceId: z.number().int(),
	targetId: z.number().int(),
	reason: z.string(),
	mergedAt: iso,
	previousStatus: z.enum(NEED_STATUSES).describe("The source's status before the merge; an undo restores it."),
	carriedIds: z.array(z.number().int()).describe('Needs that had been merged into the source and now point to the target.'),
	undoneAt: iso.nullable()
});

export const mergeRecordOut = z.object({
	id: z.number().int(),
	source: needRefOut,
	target: needRefOut,
	reason: z.string(),
	actor: memberRefOut.nullable(),
	mergedAt: iso,
	previousStatus: z.enum(NEED_STATUSES),
	carriedIds: z.array(z.number().int()),
	undoneAt: iso.nullable(),
	undoneBy: memberRefOut.nullable(),
	undoable: z.boolean().describe('In force, and the caller may undo it now.')
});

export const historyEntryOut = z.object({
	at: iso,
	kind: z.enum(['status', 'merge', 'split', 'moderation']),
	action: z
		.string()
		.describe(
			'status_changed; merged_into, merged_from, merge_undone, unmerged_from; split_to, split_from; hidden, unhidden, locked, unlocked, published, comment_hidden, comment_deleted.'
		),
	actor: memberRefOut.nullable(),
	reason: z.string().nullable(),
	fromStatus: z.enum(NEED_STATUSES).nullable(),
	toStatus: z.enum(NEED_STATUSES).nullable(),
	otherNeed: needRefOut.nullable(),
	mergeId: z.number().int().nullable(),
	commentId: z.number().int().nullable()
});

const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

export const needStateJson = (n: Need): z.input<typeof needStateOut> => ({
	id: n.id,
	title: n.title,
	kind: n.kind,
	status: n.status,
	statusReason: n.statusReason,
	groupId: n.groupId,
	duplicateOfId: n.duplicateOfId,
	supportCount: n.supportCount,
	commentCount: n.commentCount,
	publishedAt: isoOrNull(n.publishedAt),
	hiddenAt: isoOrNull(n.hiddenAt),
	hiddenReason: n.hiddenReason,
	lockedAt: isoOrNull(n.lockedAt),
	updatedAt: n.updatedAt.toISOString()
});

export const supportStateJson = (s: SupportState): z.input<typeof supportStateOut> => ({ ...s });

export const commentJson = (c: NeedComment): z.input<typeof commentOut> => ({
	...c,
	createdAt: c.createdAt.toISOString(),
	editedAt: isoOrNull(c.editedAt),
	deletedAt: isoOrNull(c.deletedAt),
	hiddenAt: isoOrNull(c.hiddenAt)
});

export const mergeJson = (m: NeedMerge): z.input<typeof mergeOut> => ({
	id: m.id,
	sourceId: m.sourceId,
	targetId: m.targetId,
	reason: m.reason,
	mergedAt: m.mergedAt.toISOString(),
	previousStatus: m.previousStatus,
	carriedIds: m.carriedIds,
	undoneAt: isoOrNull(m.undoneAt)
});

export const mergeRecordJson = (m: MergeRecord): z.input<typeof mergeRecordOut> => ({
	...m,
	mergedAt: m.mergedAt.toISOString(),
	undoneAt: isoOrNull(m.undoneAt)
});

export const triageManyOut = z.object({
	action: z.enum(TRIAGE_ACTIONS),
	needs: z.array(needStateOut).describe('The needs acted on, as the action left them, in id order.'),
	changedIds: z.array(z.number().int()).describe('Of those, the ones the action changed: a need that already had the tag or component is left as it was.')
});

export const triageManyJson = (r: TriageManyResult): z.input<typeof triageManyOut> => ({
	action: r.action,
	needs: r.needs.map(needStateJson),
	changedIds: r.changedIds
});

export const historyEntryJson = (e: HistoryEntry): z.input<typeof historyEntryOut> => ({ ...e, at: e.at.toISOString() });

// ---------------------------------------------------------------------------------------------------
// Inputs

const id = (what: string) =>
	z.coerce
		.number({ error: `${what} is a whole number.` })
		.int(`${what} is a whole number.`)
		.positive(`${what} is a whole number.`)
		.max(Number.MAX_SAFE_INTEGER);
const needParams = z.object({ id: id('The need id').describe('The need number.') });
const commentParams = needParams.extend({ commentId: id('The comment id') });
const groupParams = z.object({ slug: z.string().min(1).max(100).describe("The group's address, e.g. large-scale-sig.") });
const mergeParams = z.object({ mergeId: id('The merge id') });

const mergeBody = z.object({
	targetId: id('Target need').describe('The need this one duplicates.'),
	reason: z
		.string({ error: (issue) => (issue.input === undefined ? 'Reason is required.' : 'Reason must be text.') })
		.trim()
		.min(3, 'Give a reason of at least 3 characters.')
		.max(REASON_MAX, `Reason is at most ${REASON_MAX.toLocaleString('en')} characters.`)
});

const limit = z.coerce
	.number({ error: 'Limit is a whole number.' })
	.int('Limit is a whole number.')
	.min(1, 'Limit is at least 1.')
	.max(100, 'Limit is at most 100.')
	.optional();
const commentsQuery = z.object({ after: id('The cursor').optional().describe('Continue after this comment id (the `next` of the previous page).'), limit });

const tag = 'needs';
const auth = 'required' as const;

/** A moderation action on a need that answers with the need's new state. */
const needStateOp = <B extends z.ZodType>(path: string, opId: string, summary: string, body: B) =>
	defineOperation({ id: opId, method: 'POST', path: `/needs/{id}/${path}`, summary, tag, auth, params: needParams, body, response: needStateOut });

export const supportNeedOp = defineOperation({
	id: 'supportNeed',
	method: 'PUT',
	path: '/needs/{id}/support',
	summary:
		'Support a need, once per member; again updates the evidence. Evidence is optional: one of your deployments and an impact note. Supporting a duplicate supports the need it was merged into (see `redirectedFrom`).',
	tag,
	auth,
	params: needParams,
	body: supportInput,
	response: supportStateOut
});

export const withdrawSupportOp = defineOperation({
	id: 'withdrawSupport',
	method: 'DELETE',
	path: '/needs/{id}/support',
	summary: 'Withdraw your support from a need and from the needs merged into it.',
	tag,
	auth,
	params: needParams,
	response: supportStateOut
});

export const followNeedOp = defineOperation({
	id: 'followNeed',
	method: 'PUT',
	path: '/needs/{id}/follow',
	summary: 'Follow a need (a duplicate: the need it was merged into).',
	tag,
	auth,
	params: needParams,
	response: supportStateOut
});

export const unfollowNeedOp = defineOperation({
	id: 'unfollowNeed',
	method: 'DELETE',
	path: '/needs/{id}/follow',
	summary: 'Stop following a need and the needs merged into it.',
	tag,
	auth,
	params: needParams,
	response: supportStateOut
});

export const listCommentsOp = defineOperation({
	id: 'listNeedComments',
	method: 'GET',
	path: '/needs/{id}/comments',
	summary: 'The comments on a need, oldest first. Deleted comments keep their place in the thread without their words; hidden ones show why.',
	tag,
	auth: 'public',
	params: needParams,
	query: commentsQuery,
	response: z.object({ comments: z.array(commentOut), next: z.number().int().nullable() })
});

export const addCommentOp = defineOperation({
	id: 'addNeedComment',
	method: 'POST',
	path: '/needs/{id}/comments',
	summary: 'Comment on a need (Markdown). A locked need takes comments from its moderators only.',
	tag,
	auth,
	params: needParams,
	body: commentInput,
	response: commentOut,
	status: 201
});

export const editCommentOp = defineOperation({
	id: 'editNeedComment',
	method: 'PATCH',
	path: '/needs/{id}/comments/{commentId}',
	summary: 'Change your comment; it is marked edited.',
	tag,
	auth,
	params: commentParams,
	body: commentInput,
	response: commentOut
});

export const deleteCommentOp = defineOperation({
	id: 'deleteNeedComment',
	method: 'DELETE',
	path: '/needs/{id}/comments/{commentId}',
	summary: 'Delete a comment (its author or a moderator). Its words are never shown again.',
	tag,
	auth,
	params: commentParams,
	response: commentOut
});

export const hideCommentOp = defineOperation({
	id: 'hideNeedComment',
	method: 'POST',
	path: '/needs/{id}/comments/{commentId}/hide',
	summary: 'Hide a comment with a reason (moderators).',
	tag,
	auth,
	params: commentParams,
	body: reasonInput,
	response: commentOut
});

export const changeStatusOp = needStateOp(
	'status',
	'changeNeedStatus',
	`Move a need’s status with a reason (moderators): new → triaged | accepted | declined; triaged → accepted | declined | new; accepted → declined | triaged; declined → triaged. ${STATUS_REASON_RULE}`,
	statusChangeInput
);

export const triageManyOp = defineOperation({
	id: 'triageGroupNeeds',
	method: 'POST',
	path: '/groups/{slug}/triage',
	summary: `Accept, decline, tag or add a component to several of a group’s needs at once (its chairs and moderators). Each need is changed and recorded as a single action would be. All or nothing: if one need refuses, nothing changes and the error names each refusing need in \`fields\` under \`need-<id>\`. Accept and decline take one reason for all: ${STATUS_REASON_RULE}`,
	tag,
	auth,
	params: groupParams,
	body: triageManyInput,
	response: triageManyOut
});

export const mergeNeedOp = defineOperation({
	id: 'mergeNeed',
	method: 'POST',
	path: '/needs/{id}/merge',
	summary:
		'Merge this need into the one it duplicates (moderators of both). It becomes a duplicate; its supporters and followers who do not support the target are notified. Undo with POST /merges/{mergeId}/undo.',
	tag,
	auth,
	params: needParams,
	body: mergeBody,
	response: z.object({ merge: mergeOut, source: needStateOut, target: needStateOut, notified: z.number().int() }),
	status: 201
});

export const undoMergeOp = defineOperation({
	id: 'undoMerge',
	method: 'POST',
	path: '/merges/{mergeId}/undo',
	summary: 'Undo a merge (moderators of both needs): the source gets back its status; both needs count exactly their own supporters again.',
	tag,
	auth,
	params: mergeParams,
	response: z.object({ merge: mergeOut, source: needStateOut, target: needStateOut })
});

export const splitNeedOp = defineOperation({
	id: 'splitNeed',
	method: 'POST',
	path: '/needs/{id}/split',
	summary: 'Make a new need from part of this one (moderators). Its supporters are asked whether to support the new one; nobody is moved.',
	tag,
	auth,
	params: needParams,
	body: splitInput,
	response: z.object({ from: needStateOut, created: needStateOut, notified: z.number().int() }),
	status: 201
});

export const hideNeedOp = needStateOp('hide', 'hideNeed', 'Hide a need with a reason (moderators).', reasonInput);
export const unhideNeedOp = needStateOp('unhide', 'unhideNeed', 'Show a hidden need again, with a reason (moderators).', reasonInput);
export const lockNeedOp = needStateOp('lock', 'lockNeed', 'Lock the discussion, with a reason (moderators).', reasonInput);
export const unlockNeedOp = needStateOp('unlock', 'unlockNeed', 'Open the discussion again, with a reason (moderators).', reasonInput);
export const publishNeedOp = defineOperation({
	id: 'publishNeed',
	method: 'POST',
	path: '/needs/{id}/publish',
	summary: 'Make a closed group’s need public (its moderators).',
	tag,
	auth,
	params: needParams,
	response: needStateOut
});

export const needHistoryOp = defineOperation({
	id: 'getNeedHistory',
	method: 'GET',
	path: '/needs/{id}/history',
	summary: 'What happened to a need, oldest first: status changes, merges, splits, and the moderation the caller may see.',
	tag,
	auth: 'public',
	params: needParams,
	response: z.object({ history: z.array(historyEntryOut), merges: z.array(mergeRecordOut) })
});

export const needsActionOperations = [
	supportNeedOp,
	withdrawSupportOp,
	followNeedOp,
	unfollowNeedOp,
	listCommentsOp,
	addCommentOp,
	editCommentOp,
	deleteCommentOp,
	hideCommentOp,
	changeStatusOp,
	triageManyOp,
	mergeNeedOp,
	undoMergeOp,
	splitNeedOp,
	hideNeedOp,
	unhideNeedOp,
	lockNeedOp,
	unlockNeedOp,
	publishNeedOp,
	needHistoryOp
];
