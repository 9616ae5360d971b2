import { error, redirect } from '@sveltejs/kit';
import { createGroup, mayCreateGroup } from '#lib/server/modules/groups/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	if (!locals.actor) redirect(303, '/signin?next=/groups/new');
	if (!mayCreateGroup(locals.actor)) error(403, 'Only site administrators create groups.');
};

export const actions: Actions = {
	default: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const result = await runForm(values, () => createGroup(ctx, untrusted(values)));
		if ('slug' in result) redirect(303, `/groups/${result.slug}`);
		return result;
	}
};
