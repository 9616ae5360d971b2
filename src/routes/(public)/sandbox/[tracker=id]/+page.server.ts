import { listSandboxIssues } from '#lib/server/modules/handoff/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import type { PageServerLoad } from './$types';

/** A sandbox tracker's issue list: those the reader may read (decision 0020). */
export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	if (ctx.actor) event.setHeaders({ 'cache-control': 'private, no-store' });
	return await listSandboxIssues(ctx, event.params.tracker);
};
