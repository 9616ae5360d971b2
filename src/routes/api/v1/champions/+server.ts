import { listNeedsWithoutChampion } from '#lib/server/modules/champions/index.ts';
import { listWantedOp, wantedJson } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listWantedOp, async ({ query }, ctx) => wantedJson(await listNeedsWithoutChampion(ctx, query)));
