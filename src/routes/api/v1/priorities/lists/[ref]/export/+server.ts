import { exportPublishedList } from '#lib/server/modules/priorities/index.ts';
import { exportListOp } from '#lib/server/modules/priorities/priorities.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(exportListOp, async ({ params, query }, ctx, event) => exportPublishedList(ctx.db, params.ref, query.format, event.url.origin));
