import { hideComment } from '#lib/server/modules/needs/index.ts';
import { commentJson, hideCommentOp } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(hideCommentOp, async ({ params, body }, ctx) =>
	commentJson(await hideComment(ctx, params.commentId, body, { needId: params.id }))
);
