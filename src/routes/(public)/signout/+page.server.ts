import { redirect } from '@sveltejs/kit';
import { signOut } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { clearSessionCookie } from '#lib/server/platform/http/session-cookie.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async (event) => {
		if (event.locals.sessionToken) await signOut(await ctxOf(event), event.locals.sessionToken);
		clearSessionCookie(event.cookies);
		redirect(303, '/');
	}
};
