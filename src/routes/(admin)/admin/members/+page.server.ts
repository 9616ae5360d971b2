import { redirect } from '@sveltejs/kit';
import { issueResetLink, listAccounts, memberListInput, setAdmin } from '#lib/server/modules/members/index.ts';
import { config } from '#lib/server/platform/config.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const params = event.url.searchParams;
	const parsed = memberListInput.safeParse({ q: params.get('q') ?? undefined, after: params.get('after') ?? undefined });
	const filter = parsed.data ?? memberListInput.parse({});
	const adminsOnly = params.get('admins') === '1';
	const { accounts, next } = await listAccounts(await ctxOf(event), { query: filter.q, after: filter.after, adminsOnly, limit: 50 });
	return { accounts, next, q: filter.q ?? '', adminsOnly, paged: !!filter.after };
};

export const actions: Actions = {
	setAdmin: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const result = await runForm(values, async () => {
			const member = await setAdmin(ctx, untrusted(values));
			return {
				done: `@${member.handle} ${member.isAdmin ? 'is now an administrator' : 'is no longer an administrator'}.`,
				leftAdmin: member.id === ctx.actor?.memberId && !member.isAdmin
			};
		});
		// Revoking your own role ends your access to these pages.
		if ('leftAdmin' in result && result.leftAdmin) redirect(303, '/');
		return result;
	},
	/** A one-time password reset link for a member, shown to the administrator once to pass on (decision 0012). */
	resetLink: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		return runForm(values, async () => {
			const issued = await issueResetLink(ctx, untrusted(values));
			return { resetLink: { handle: issued.member.handle, url: `${config().origin ?? event.url.origin}${issued.path}`, expiresAt: issued.expiresAt } };
		});
	}
};
