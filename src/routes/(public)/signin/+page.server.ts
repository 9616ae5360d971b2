import { redirect } from '@sveltejs/kit';
import { config } from '#lib/server/platform/config.ts';
import { signIn } from '#lib/server/modules/members/index.ts';
import { isOidcFailure, oidcFailureMessage } from '#lib/server/modules/members/index.ts';
import { clientAddress, ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { safeNext, setSessionCookie } from '#lib/server/platform/http/session-cookie.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.actor) redirect(303, safeNext(url.searchParams.get('next')));
	const oidcName = config().oidc?.name ?? null;
	// A sign-in with the provider that did not finish comes back here as ?error=<reason>; only known reasons are shown.
	const reason = url.searchParams.get('error');
	const oidcError = oidcName && isOidcFailure(reason) ? oidcFailureMessage(reason, oidcName) : null;
	return { oidcName, oidcError, next: safeNext(url.searchParams.get('next'), '') };
};

export const actions: Actions = {
	default: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const result = await runForm(values, async () => {
			const { session } = await signIn(ctx, untrusted(values), { address: clientAddress(event), userAgent: event.request.headers.get('user-agent') });
			setSessionCookie(event.cookies, session.token, session.expiresAt);
		});
		if (result) return result;
		redirect(303, safeNext(event.url.searchParams.get('next')));
	}
};
