import { listMyNotifications } from '#lib/server/modules/needs/index.ts';
import { myNotificationsOp, notificationJson } from '#lib/server/platform/notifications.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(myNotificationsOp, async ({ query }, ctx) => {
	const page = await listMyNotifications(ctx, { before: query.before, limit: query.limit });
	return { notifications: page.notifications.map(notificationJson), next: page.next };
});
