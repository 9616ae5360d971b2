import { updateComponent } from '#lib/server/modules/needs/index.ts';
import { componentJson, updateComponentOp } from '#lib/server/modules/needs/needs.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const PATCH = endpoint(updateComponentOp, async ({ params, body }, ctx) => componentJson(await updateComponent(ctx, params.id, body)));
