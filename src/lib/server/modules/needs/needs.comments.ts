import { sql } from 'kysely';
import { recordActivity } from '#lib/server/platform/activity.ts';
import { inTransaction, requireActor, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { conflict, forbidden, notFound, parseInput } from '#lib/server/platform/errors.ts';
import { loadNeedAccess, resolveNeedAccess, type NeedAccess, type NeedOrAccess } from './needs.access.ts';
import { mayEditComment, mayModerateNeed } from './needs.policy.ts';
import { commentInput, reasonInput, type CommentInput, type ReasonInput } from './needs.schemas.ts';
import type { NeedCommentTable } from './needs.tables.ts';
import { tellMentioned } from './needs.references.ts';
import type { Selectable } from 'kysely';

/*
 * Comments on a need. Markdown, rendered by the pages; edited comments carry `editedAt`. Deleting is
 * soft: the row and its body stay for the audit, but the body is never shown again, to anyone. A
 * moderator hides a comment with a reason: readers see that it was hidden and why; moderators still
 * see the words. `need.comment_count` counts the comments that are neither deleted nor hidden, recounted
 * exactly under the need's row lock with every change. A member mentioned (`@handle`) who may read the need
 * is told once per comment (needs.references.ts).
 */

export interface MemberRef {
	id: number;
	handle: string;
	displayName: string;
}

export type CommentState = 'visible' | 'hidden' | 'deleted';

export interface NeedComment {
	id: number;
	needId: number;
	author: MemberRef | null;
	/** Markdown; null when deleted, or hidden and the reader is not a moderator. */
	body: string | null;
	state: CommentState;
	createdAt: Date;
	editedAt: Date | null;
	deletedAt: Date | null;
	hiddenAt: Date | null;
	hiddenReason: string | null;
	/** What the reader may do with it. */
	abilities: { edit: boolean; delete: boolean; hide: boolean };
}

type CommentRow = Selectable<NeedCommentTable> & { author_handle: string | null; author_display_name: string | null };

function commentRows(db: Executor) {
	return db
		.selectFrom('need_comment')
		.leftJoin('member', 'member.id', 'need_comment.author_id')
		.selectAll('need_comment')
		.select(['member.handle as author_handle', 'member.display_name as author_display_name']);
}

function toComment(row: CommentRow, access: Pick<NeedAccess, 'group' | 'membership' | 'abilities'>, ctx: Ctx): NeedComment {
	const moderator = mayModerateNeed(ctx.actor, access.group, access.membership);
	const state: CommentState = row.deleted_at ? 'deleted' : row.hidden_at ? 'hidden' : 'visible';
	const facts = { authorId: row.author_id, deletedAt: row.deleted_at, hiddenAt: row.hidden_at };
	return {
		id: Number(row.id),
		needId: Number(row.need_id),
		author:
			row.author_id !== null && row.author_handle
				? { id: Number(row.author_id), handle: row.author_handle, displayName: row.author_display_name ?? row.author_handle }
				: null,
		body: state === 'visible' || (state === 'hidden' && moderator) ? row.body : null,
		state,
		createdAt: row.created_at,
		editedAt: row.edited_at,
		deletedAt: row.deleted_at,
		hiddenAt: row.hidden_at,
		hiddenReason: row.hidden_reason,
		abilities: {
			edit: mayEditComment(ctx.actor, facts) && access.abilities.comment,
			delete: state !== 'deleted' && (mayEditComment(ctx.actor, facts) || moderator),
			hide: state === 'visible' && moderator
		}
	};
}

/** Locks the need's row (so counts are exact) and recounts its shown comments. */
async function recountComments(tx: TxCtx, needId: number, options: { touch?: boolean } = {}) {
	await tx.db
		.updateTable('need')
		.set((eb) => ({
			comment_count: sql<number>`(select count(*)::int from need_comment c where c.need_id = ${eb.ref('need.id')} and c.deleted_at is null and c.hidden_at is null)`,
			...(options.touch ? { updated_at: tx.now() } : {})
		}))
		.where('id', '=', needId)
		.execute();
}

const lockNeedRow = (tx: TxCtx, needId: number) => tx.db.selectFrom('need').select('id').where('id', '=', needId).forNoKeyUpdate().execute();

/**
 * A comment with its need's access, for the commands on one comment. A comment on a need the actor may
 * not read answers `not_found`, like a missing one; so does one on another need than `expectNeedId`.
 */
async function loadComment(tx: TxCtx, commentId: number, expectNeedId?: number) {
	if (!Number.isSafeInteger(commentId) || commentId <= 0) throw notFound('The comment');
	const found = await tx.db.selectFrom('need_comment').select('need_id').where('id', '=', commentId).executeTakeFirst();
	if (!found || (expectNeedId !== undefined && Number(found.need_id) !== expectNeedId)) throw notFound('The comment');
	let access: NeedAccess;
	try {
		access = await loadNeedAccess(tx, Number(found.need_id));
	} catch {
		throw notFound('The comment');
	}
	// The need's lock serializes changes to its comments; the comment is read again under it.
	await lockNeedRow(tx, access.need.id);
	const row = await commentRows(tx.db).where('need_comment.id', '=', commentId).executeTakeFirstOrThrow();
	return { row, access };
}

async function reload(tx: TxCtx, commentId: number, access: NeedAccess): Promise<NeedComment> {
	const row = await commentRows(tx.db).where('need_comment.id', '=', commentId).executeTakeFirstOrThrow();
	return toComment(row, access, tx);
}

/** The comments of a need, oldest first; deleted ones keep their place, without their words, so the thread reads right. */
export async function listComments(
	ctx: Ctx,
	ref: NeedOrAccess,
	options: { after?: number | null; limit?: number } = {}
): Promise<{ comments: NeedComment[]; next: number | null }> {
	const access = await resolveNeedAccess(ctx, ref);
	const needId = access.need.id;
	const limit = Math.min(Math.max(options.limit ?? 100, 1), 200);
	let query = commentRows(ctx.db)
		.where('need_comment.need_id', '=', needId)
		.orderBy('need_comment.id')
		.limit(limit + 1);
	if (options.after) query = query.where('need_comment.id', '>', options.after);
	const rows = await query.execute();
	const page = rows.slice(0, limit);
	return { comments: page.map((r) => toComment(r, access, ctx)), next: rows.length > limit ? Number(page.at(-1)!.id) : null };
}

/** Adds a comment. A locked need takes comments from its moderators only. */
export async function addComment(ctx: Ctx, needId: number, input: CommentInput): Promise<NeedComment> {
	const actor = requireActor(ctx, 'Sign in to comment.');
	const data = parseInput(commentInput, input);
	return inTransaction(ctx, async (tx) => {
		const access = await loadNeedAccess(tx, needId, { forUpdate: true });
		if (!access.abilities.comment) {
			throw forbidden(access.need.locked_at ? 'The discussion of this need is locked.' : 'You may not comment on this need.');
		}
		const row = await tx.db
			.insertInto('need_comment')
			.values({ need_id: needId, author_id: actor.memberId, body: data.body, created_at: tx.now() })
			.returning('id')
			.executeTakeFirstOrThrow();
		await recountComments(tx, needId, { touch: true });
		await tellMentioned(tx, access, { body: data.body, commentId: Number(row.id) });
		return reload(tx, Number(row.id), access);
	});
}

/** Changes a comment's words: its author only, while the discussion is open; marks it edited. Members it newly mentions are told. */
export async function editComment(ctx: Ctx, commentId: number, input: CommentInput, options: { needId?: number } = {}): Promise<NeedComment> {
	requireActor(ctx, 'Sign in to edit your comment.');
	const data = parseInput(commentInput, input);
	return inTransaction(ctx, async (tx) => {
		const { row, access } = await loadComment(tx, commentId, options.needId);
		const facts = { authorId: row.author_id, deletedAt: row.deleted_at, hiddenAt: row.hidden_at };
		if (!mayEditComment(tx.actor, facts)) {
			throw row.deleted_at || row.hidden_at
				? conflict('This comment was deleted or hidden and cannot be edited.')
				: forbidden('Only its author edits a comment.');
		}
		if (!access.abilities.comment) throw forbidden('The discussion of this need is locked.');
		if (data.body !== row.body) {
			await tx.db.updateTable('need_comment').set({ body: data.body, edited_at: tx.now() }).where('id', '=', commentId).execute();
			// Only those the edit mentions for the first time are told.
			await tellMentioned(tx, access, { body: data.body, commentId });
		}
		return reload(tx, commentId, access);
	});
}

/**
 * Deletes a comment (its author, or a moderator): soft, so the row stays for the audit but its words are
 * never shown again. A moderator's deletion is recorded in the audit log.
 */
export async function deleteComment(ctx: Ctx, commentId: number, options: { needId?: number } = {}): Promise<NeedComment> {
	const actor = requireActor(ctx, 'Sign in first.');
	return inTransaction(ctx, async (tx) => {
		const { row, access } = await loadComment(tx, commentId, options.needId);
		if (row.deleted_at) throw conflict('This comment was already deleted.');
		const author = row.author_id === actor.memberId;
		const moderator = mayModerateNeed(tx.actor, access.group, access.membership);
		if (!author && !moderator) throw forbidden('Only its author or a moderator deletes a comment.');
		await tx.db.updateTable('need_comment').set({ deleted_at: tx.now() }).where('id', '=', commentId).execute();
		await recountComments(tx, access.need.id);
		await recordActivity(tx, {
			action: 'need.comment_deleted',
			subjectType: 'need',
			subjectId: access.need.id,
			groupId: access.need.group_id,
			data: { commentId, byAuthor: author }
		});
		return reload(tx, commentId, access);
	});
}

/** Hides a comment with a reason (moderators): readers see that and why; the words stay for moderators. */
export async function hideComment(ctx: Ctx, commentId: number, input: ReasonInput, options: { needId?: number } = {}): Promise<NeedComment> {
	const actor = requireActor(ctx, 'Sign in first.');
	const data = parseInput(reasonInput, input);
	return inTransaction(ctx, async (tx) => {
		const { row, access } = await loadComment(tx, commentId, options.needId);
		if (!mayModerateNeed(tx.actor, access.group, access.membership)) throw forbidden('Only the group’s moderators hide comments.');
		if (row.deleted_at) throw conflict('This comment was deleted; there is nothing left to hide.');
		if (row.hidden_at) throw conflict('This comment is already hidden.');
		await tx.db
			.updateTable('need_comment')
			.set({ hidden_at: tx.now(), hidden_reason: data.reason, hidden_by: actor.memberId })
			.where('id', '=', commentId)
			.execute();
		await recountComments(tx, access.need.id);
		await recordActivity(tx, {
			action: 'need.comment_hidden',
			subjectType: 'need',
			subjectId: access.need.id,
			groupId: access.need.group_id,
			data: { commentId, reason: data.reason, authorId: row.author_id }
		});
		return reload(tx, commentId, access);
	});
}
