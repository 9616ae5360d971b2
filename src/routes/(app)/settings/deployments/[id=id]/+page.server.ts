import { error, redirect } from '@sveltejs/kit';
import { getOwnDeployment, removeDeployment, updateDeployment } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const deployment = await getOwnDeployment(await ctxOf(event), event.params.id);
	if (!deployment) error(404, 'You have no deployment with that number.');
	return { deployment };
};

export const actions: Actions = {
	update: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const result = await runForm(values, async () => {
			await updateDeployment(ctx, event.params.id, untrusted(values));
		});
		if (result) return result;
		redirect(303, '/settings/deployments?done=updated');
	},
	remove: async (event) => {
		const ctx = await ctxOf(event);
		const result = await runForm({}, async () => {
			await removeDeployment(ctx, event.params.id);
		});
		if (result) return result;
		redirect(303, '/settings/deployments?done=removed');
	}
};
