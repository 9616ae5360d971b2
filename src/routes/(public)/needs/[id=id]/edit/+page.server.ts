import { error, redirect } from '@sveltejs/kit';
import { editNeed, getNeedPage, listComponents } from '#lib/server/modules/needs/index.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const id = event.params.id;
	if (!event.locals.actor) redirect(303, `/signin?next=${encodeURIComponent(`/needs/${id}/edit`)}`);
	const ctx = await ctxOf(event);
	const [{ need, abilities }, components] = await Promise.all([getNeedPage(ctx, id, { supporters: 0 }), listComponents(ctx)]);
	if (!abilities.edit)
		error(
			403,
			need.lockedAt ? 'This need is locked; only its group’s moderators may edit it.' : 'Only the need’s author and its group’s moderators may edit it.'
		);
	return {
		need: { id: need.id, title: need.title },
		components: components.map((c) => ({ slug: c.slug, name: c.name })),
		initial: {
			title: need.title,
			body: need.body,
			kind: need.kind,
			components: need.components.map((c) => c.slug),
			tags: need.tags,
			releases: need.releases,
			sourceChannel: need.source.channel,
			sourceUrl: need.source.url ?? '',
			sourceNote: need.source.note ?? ''
		}
	};
};

export const actions: Actions = {
	default: async (event) => {
		const id = event.params.id;
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData(), ['components']);
		const result = await runForm(values, () => editNeed(ctx, id, untrusted(values)));
		if ('id' in result) redirect(303, `/needs/${id}`);
		return result;
	}
};
