import { redirect } from '@sveltejs/kit';
import { addDeployment, listDeployments, removeDeployment } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

const NOTICES: Record<string, string> = {
	added: 'The deployment is added.',
	updated: 'The deployment is saved.',
	removed: 'The deployment is removed.'
};

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	return {
		deployments: ctx.actor ? await listDeployments(ctx, ctx.actor.memberId) : [],
		notice: NOTICES[event.url.searchParams.get('done') ?? ''] ?? null
	};
};

export const actions: Actions = {
	add: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const result = await runForm(values, async () => {
			await addDeployment(ctx, untrusted(values));
		});
		if (result) return result;
		redirect(303, '/settings/deployments?done=added');
	},
	remove: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const result = await runForm({}, async () => {
			await removeDeployment(ctx, values.id);
		});
		if (result) return result;
		redirect(303, '/settings/deployments?done=removed');
	}
};
