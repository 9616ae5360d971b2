import { createToken, listTokens, revokeToken } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

/** JavaScript improves this page: a new token gets a copy button. */
export const csr = true;

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	return { tokens: ctx.actor ? await listTokens(ctx, ctx.actor.memberId) : [] };
};

export const actions: Actions = {
	// The secret goes back in this one response and nowhere else; there is no redirect, so it is never in a URL.
	create: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		return runForm(values, async () => {
			const { token, secret } = await createToken(ctx, untrusted(values));
			return { created: { name: token.name, secret } };
		});
	},
	revoke: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		return runForm({}, async () => {
			const token = await revokeToken(ctx, values.id);
			return { revoked: token.name };
		});
	}
};
