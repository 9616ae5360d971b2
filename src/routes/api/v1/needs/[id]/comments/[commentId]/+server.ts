import { deleteComment, editComment } from '#lib/server/modules/needs/index.ts';
import { commentJson, deleteCommentOp, editCommentOp } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const PATCH = endpoint(editCommentOp, async ({ params, body }, ctx) =>
	commentJson(await editComment(ctx, params.commentId, body, { needId: params.id }))
);

export const DELETE = endpoint(deleteCommentOp, async ({ params }, ctx) => commentJson(await deleteComment(ctx, params.commentId, { needId: params.id })));
