import { defineParams } from '@sveltejs/kit/params';
import { parseId } from '#lib/ids.ts';

/**
 * Route parameter matchers. A folder named `[id=id]` matches only an id (`parseId`) and hands the route a
 * number; any other address is answered 404 by SvelteKit before a load or an action runs.
 */
export const params = defineParams({
	id: (param) => parseId(param)
});
