import { config } from '#lib/server/platform/config.ts';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
	actor: locals.actor ? { handle: locals.actor.handle, displayName: locals.actor.displayName, isAdmin: locals.actor.isAdmin } : null,
	siteName: config().siteName
});
