import { config } from '#lib/server/platform/config.ts';
import type { LayoutServerLoad } from './$types';

/**
 * Pages are server-rendered and every form works without JavaScript, so by default a page ships none.
 * This also means nothing typed before a script has loaded can be reset by hydration. A page that
 * JavaScript improves (the live similar-need suggestions) turns it back on.
 */
export const csr = false;

export const load: LayoutServerLoad = ({ locals }) => ({
	actor: locals.actor ? { handle: locals.actor.handle, displayName: locals.actor.displayName, isAdmin: locals.actor.isAdmin } : null,
	siteName: config().siteName
});
