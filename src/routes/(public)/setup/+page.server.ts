import { redirect } from '@sveltejs/kit';
import { createFirstAdmin, hasAdministrator, startSession } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { setSessionCookie } from '#lib/server/platform/http/session-cookie.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	if (await hasAdministrator(ctx.db)) redirect(303, '/');
};

export const actions: Actions = {
	default: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const result = await runForm(values, async () => {
			const account = await createFirstAdmin(ctx, untrusted(values));
			const session = await startSession(ctx, account.id, event.request.headers.get('user-agent'));
			setSessionCookie(event.cookies, session.token, session.expiresAt);
		});
		if (result) return result;
		redirect(303, '/admin');
	}
};
