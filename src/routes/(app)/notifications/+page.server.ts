import { listMyNotifications } from '#lib/server/modules/needs/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { parseId } from '#lib/ids.ts';
import type { PageServerLoad } from './$types';

/** The signed-in member's notifications, newest first, as the API lists them (only those about needs they may still read). */
export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const before = parseId(event.url.searchParams.get('before')) ?? null;
	const page = await listMyNotifications(ctx, { before, limit: 50 });
	return { notifications: page.notifications, next: page.next, older: before !== null };
};
