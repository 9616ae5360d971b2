import { config } from '#lib/server/platform/config.ts';
import { navigation } from '#lib/server/modules.ts';
import { takeFlash } from '#lib/server/platform/http/flash.ts';
import type { LayoutServerLoad } from './$types';

/**
 * Pages are server-rendered and every form works without JavaScript, so by default a page ships none.
 * This also means nothing typed before a script has loaded can be reset by hydration. A page that
 * JavaScript improves (the live similar-need suggestions) turns it back on.
 */
export const csr = false;

export const load: LayoutServerLoad = ({ locals, cookies }) => ({
	// The message of the form post that redirected here (post/redirect/get); pages read it with answerOf.
	flash: takeFlash(cookies),
	actor: locals.actor ? { handle: locals.actor.handle, displayName: locals.actor.displayName, isAdmin: locals.actor.isAdmin } : null,
	siteName: config().siteName,
	// The modules' navigation entries; administrators also see the entries meant for them.
	navigation: navigation.filter((entry) => entry.audience !== 'admin' || locals.actor?.isAdmin).map(({ href, label }) => ({ href, label }))
});
