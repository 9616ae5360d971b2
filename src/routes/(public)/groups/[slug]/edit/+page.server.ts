import { error, redirect } from '@sveltejs/kit';
import { getGroupDetail, updateGroup } from '#lib/server/modules/groups/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { isStorableText } from '#lib/server/platform/text.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	if (!ctx.actor) redirect(303, `/signin?next=${encodeURIComponent(event.url.pathname)}`);
	if (!isStorableText(event.params.slug)) error(404, 'There is no group at this address.');
	const page = await getGroupDetail(ctx, event.params.slug);
	if (!page) error(404, 'There is no group at this address.');
	if (!page.abilities.update) error(403, "Only the group's chairs edit the group.");
	return { group: page.group };
};

export const actions: Actions = {
	default: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const result = await runForm(values, () => updateGroup(ctx, event.params.slug, untrusted(values)));
		if ('slug' in result) redirect(303, `/groups/${result.slug}`);
		return result;
	}
};
