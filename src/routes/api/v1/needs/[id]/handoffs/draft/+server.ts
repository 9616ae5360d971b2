import { draftHandoff } from '#lib/server/modules/handoff/index.ts';
import { draftHandoffOp } from '#lib/server/modules/handoff/handoff.api.ts';
import { config } from '#lib/server/platform/config.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const POST = endpoint(draftHandoffOp, async ({ params, body }, ctx, event) => {
	const { tracker, draft } = await draftHandoff(ctx, params.id, body, { siteUrl: config().origin ?? event.url.origin });
	return { tracker, draft };
});
