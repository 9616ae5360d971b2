import { createComponent, listComponents } from '#lib/server/modules/needs/index.ts';
import { componentJson, createComponentOp, listComponentsOp } from '#lib/server/modules/needs/needs.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listComponentsOp, async (_input, ctx) => ({ components: (await listComponents(ctx)).map(componentJson) }));

export const POST = endpoint(createComponentOp, async ({ body }, ctx) => componentJson(await createComponent(ctx, body)));
