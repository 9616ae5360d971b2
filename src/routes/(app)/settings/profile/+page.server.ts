import { error, redirect } from '@sveltejs/kit';
import { getAccount, updateProfile } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const account = ctx.actor && (await getAccount(ctx, ctx.actor.memberId));
	if (!account) error(404, 'Your account was not found.');
	return {
		account,
		welcome: event.url.searchParams.get('welcome') === '1',
		saved: event.url.searchParams.get('saved') === '1'
	};
};

export const actions: Actions = {
	default: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData(), ['segments']);
		const result = await runForm(values, async () => {
			await updateProfile(ctx, untrusted(values));
		});
		if (result) return result;
		redirect(303, '/settings/profile?saved=1');
	}
};
