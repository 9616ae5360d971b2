import { redirect } from '@sveltejs/kit';
import { signUp, startSession } from '#lib/server/modules/members/index.ts';
import { clientAddress, ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { safeNext, setSessionCookie } from '#lib/server/platform/http/session-cookie.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.actor) redirect(303, safeNext(url.searchParams.get('next')));
};

export const actions: Actions = {
	default: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const result = await runForm(values, async () => {
			const account = await signUp(ctx, untrusted(values), { address: clientAddress(event) });
			const session = await startSession(ctx, account.id, event.request.headers.get('user-agent'));
			setSessionCookie(event.cookies, session.token, session.expiresAt);
		});
		if (result) return result;
		redirect(303, safeNext(event.url.searchParams.get('next'), '/settings/profile?welcome=1'));
	}
};
