import { error } from '@sveltejs/kit';
import { exportPublishedList } from '#lib/server/modules/priorities/index.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { isStorableText } from '#lib/server/platform/text.ts';
import type { RequestHandler } from './$types';

/** A published list as JSON: public, like the list page, and built from its frozen content only. */
export const GET: RequestHandler = async (event) => {
	if (!isStorableText(event.params.id)) error(404, 'There is no published priority list at this address.');
	const ctx = await ctxOf(event);
	try {
		const file = await exportPublishedList(ctx.db, event.params.id, 'json', event.url.origin);
		return new Response(file.content, { headers: { 'content-type': file.mediaType, 'content-disposition': `inline; filename="${file.filename}"` } });
	} catch (e) {
		if (e instanceof AppError && e.code === 'not_found') error(404, 'There is no published priority list at this address.');
		throw e;
	}
};
