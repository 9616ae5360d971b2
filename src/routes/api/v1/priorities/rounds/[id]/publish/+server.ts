import { getPublishedList, publishList } from '#lib/server/modules/priorities/index.ts';
import { listJsonOut, publishListOp } from '#lib/server/modules/priorities/priorities.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(publishListOp, async ({ params, body }, ctx) => {
	const list = await publishList(ctx, params.id, body);
	return listJsonOut(await getPublishedList(ctx.db, list.id));
});
