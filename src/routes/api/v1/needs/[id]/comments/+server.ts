import { addComment, listComments } from '#lib/server/modules/needs/index.ts';
import { addCommentOp, commentJson, listCommentsOp } from '#lib/server/modules/needs/needs.actions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listCommentsOp, async ({ params, query }, ctx) => {
	const page = await listComments(ctx, params.id, { after: query.after, limit: query.limit });
	return { comments: page.comments.map(commentJson), next: page.next };
});

export const POST = endpoint(addCommentOp, async ({ params, body }, ctx) => commentJson(await addComment(ctx, params.id, body)));
