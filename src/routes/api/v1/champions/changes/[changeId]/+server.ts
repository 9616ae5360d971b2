import { setChangeState, unlinkChange } from '#lib/server/modules/champions/index.ts';
import { changeJson, setChangeStateOp, unlinkChangeOp } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const PATCH = endpoint(setChangeStateOp, async ({ params, body }, ctx) => changeJson(await setChangeState(ctx, params.changeId, body)));

export const DELETE = endpoint(unlinkChangeOp, async ({ params }, ctx) => changeJson(await unlinkChange(ctx, params.changeId)));
