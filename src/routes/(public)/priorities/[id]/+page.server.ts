import { error, redirect } from '@sveltejs/kit';
import { getPublishedList, readableNeedIds } from '#lib/server/modules/priorities/index.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { renderMarkdown } from '#lib/server/platform/markdown.ts';
import { isStorableText } from '#lib/server/platform/text.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	if (!isStorableText(event.params.id)) error(404, 'There is no published priority list at this address.');
	const ctx = await ctxOf(event);
	const format = event.url.searchParams.get('format');
	if (format === 'md' || format === 'json') redirect(303, `/priorities/${event.params.id}.${format}`);
	try {
		const list = await getPublishedList(ctx.db, event.params.id);
		// The list is public; a need's own page is not always (a closed group's unpublished need), so
		// titles link only for readers who may open the need.
		const readable = await readableNeedIds(
			ctx,
			list.content.entries.map((e) => e.needId)
		);
		// The chair's note is Markdown, like every text people write here.
		return { list, readable: [...readable], noteHtml: list.content.note ? renderMarkdown(list.content.note) : null };
	} catch (e) {
		if (e instanceof AppError && e.code === 'not_found') error(404, 'There is no published priority list at this address.');
		throw e;
	}
};
