import { json, type RequestHandler } from '@sveltejs/kit';
import { parseId } from '#lib/ids.ts';
import { receiveWebhook } from '#lib/server/modules/handoff/index.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { errorResponse, readBodyText } from '#lib/server/platform/http/api.ts';
import { db } from '#lib/server/platform/runtime.ts';

const MAX_BYTES = 1024 * 1024;

/**
 * Webhook deliveries from a tracker (GitHub `issues` events, GitLab Issue Hooks). The tracker's provider
 * verifies the signature or token over the exact body; a delivery that fails is answered 401 and nothing
 * is written. Trackers send no session or token of a member, so this route needs none.
 */
export const POST: RequestHandler = async (event) => {
	const trackerId = parseId(event.params.id) ?? 0;
	try {
		const body = await readBodyText(event.request, MAX_BYTES);
		const headers = Object.fromEntries(event.request.headers);
		const result = await receiveWebhook(await db(), trackerId, { headers, body });
		return json({ received: result.received, changed: result.changed.length });
	} catch (error) {
		if (error instanceof AppError) return errorResponse(error.code, error.message, error.fields);
		event.locals.log.error({ err: error, trackerId }, 'tracker webhook failed');
		return errorResponse('internal', `Something went wrong on our side (request ${event.locals.requestId}).`);
	}
};
