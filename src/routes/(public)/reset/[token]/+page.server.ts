import { resetLinkProblem, resetLinkState, resetPassword } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

/** A password reset link an administrator issued (decision 0012): set a new password, once. */
export const load: PageServerLoad = async (event) => {
	// The token is a secret in the address: keep the page out of every cache.
	event.setHeaders({ 'cache-control': 'private, no-store' });
	const ctx = await ctxOf(event);
	const link = await resetLinkState(ctx.db, event.params.token, ctx.now());
	if (link.state !== 'valid') return { valid: false as const, problem: resetLinkProblem(link.state) };
	return { valid: true as const, handle: link.handle, displayName: link.displayName, expiresAt: link.expiresAt };
};

export const actions: Actions = {
	default: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		return runForm(values, async () => {
			const member = await resetPassword(ctx, event.params.token, untrusted(values));
			return { done: true as const, handle: member.handle };
		});
	}
};
