import { linkChange } from '#lib/server/modules/champions/index.ts';
import { linkChangeOp, changeJson } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(linkChangeOp, async ({ params, body }, ctx) => changeJson(await linkChange(ctx, params.id, body)));
