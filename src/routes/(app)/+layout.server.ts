import { redirect } from '@sveltejs/kit';
import type { LayoutServerLoad } from './$types';

/**
 * Pages for signed-in members. Visitors are sent to sign in and back. This is a convenience, not the
 * guard: form actions do not run this load, so every command authorizes itself.
 */
export const load: LayoutServerLoad = ({ locals, url, setHeaders }) => {
	if (!locals.actor) redirect(303, `/signin?next=${encodeURIComponent(url.pathname + url.search)}`);
	// Personal pages (an API token is shown here once) stay out of every cache.
	setHeaders({ 'cache-control': 'private, no-store' });
};
