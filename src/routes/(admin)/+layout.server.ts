import { error, redirect } from '@sveltejs/kit';
import { mayAdminister } from '#lib/server/modules/members/index.ts';
import type { LayoutServerLoad } from './$types';

/**
 * Administration pages. Visitors are sent to sign in; members who are not administrators get a 403.
 * The queries and commands behind these pages check the same policy themselves.
 */
export const load: LayoutServerLoad = ({ locals, url, setHeaders }) => {
	if (!locals.actor) redirect(303, `/signin?next=${encodeURIComponent(url.pathname + url.search)}`);
	if (!mayAdminister(locals.actor)) error(403, 'This page is for administrators.');
	setHeaders({ 'cache-control': 'private, no-store' });
};
