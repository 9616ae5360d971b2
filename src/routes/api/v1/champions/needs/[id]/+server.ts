import { getNeedChampions } from '#lib/server/modules/champions/index.ts';
import { getNeedChampionsOp, needChampionsJson } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(getNeedChampionsOp, async ({ params }, ctx) => needChampionsJson(await getNeedChampions(ctx, params.id)));
