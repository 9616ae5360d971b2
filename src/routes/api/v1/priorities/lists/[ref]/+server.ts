import { getPublishedList } from '#lib/server/modules/priorities/index.ts';
import { getListOp, listJsonOut } from '#lib/server/modules/priorities/priorities.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(getListOp, async ({ params }, ctx) => listJsonOut(await getPublishedList(ctx.db, params.ref)));
