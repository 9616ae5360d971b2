import { setChangeState, unlinkChange, changeLabel, type UpstreamChangeRow } from '#lib/server/modules/champions/index.ts';
import { changeJson, setChangeStateOp, unlinkChangeOp } from '#lib/server/modules/champions/champions.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';
import type { Ctx } from '#lib/server/platform/context.ts';

async function present(ctx: Ctx, row: UpstreamChangeRow) {
	const by =
		row.added_by === null
			? undefined
			: await ctx.db.selectFrom('member').select(['id', 'handle', 'display_name']).where('id', '=', row.added_by).executeTakeFirst();
	return changeJson({
		id: Number(row.id),
		needId: Number(row.need_id),
		url: row.url,
		forge: row.forge,
		host: row.host,
		project: row.project,
		number: Number(row.number),
		label: changeLabel({ forge: row.forge, number: Number(row.number) }),
		state: row.state,
		addedBy: by ? { id: Number(by.id), handle: by.handle, displayName: by.display_name } : null,
		createdAt: row.created_at,
		stateChangedAt: row.state_changed_at
	});
}

export const PATCH = endpoint(setChangeStateOp, async ({ params, body }, ctx) => present(ctx, await setChangeState(ctx, params.changeId, body)));

export const DELETE = endpoint(unlinkChangeOp, async ({ params }, ctx) => present(ctx, await unlinkChange(ctx, params.changeId)));
