import { error, redirect } from '@sveltejs/kit';
import { changePassword, getAccount, signOutEverywhere } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { clearSessionCookie } from '#lib/server/platform/http/session-cookie.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const account = ctx.actor && (await getAccount(ctx, ctx.actor.memberId));
	if (!account) error(404, 'Your account was not found.');
	return { hasPassword: account.hasPassword };
};

export const actions: Actions = {
	password: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		return runForm(values, async () => {
			await changePassword(ctx, untrusted(values), event.locals.sessionToken);
			return { passwordChanged: true };
		});
	},
	everywhere: async (event) => {
		const ctx = await ctxOf(event);
		const result = await runForm({}, async () => {
			await signOutEverywhere(ctx);
		});
		if (result) return result;
		clearSessionCookie(event.cookies);
		redirect(303, '/signin');
	}
};
