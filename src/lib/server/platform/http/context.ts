import type { RequestEvent } from '@sveltejs/kit';
import { systemClock, type Ctx } from '../context.ts';
import { db } from '../runtime.ts';

/** The context a route hands to commands and queries: the shared database, the actor from hooks, the real clock. */
export async function ctxOf(event: Pick<RequestEvent, 'locals'>): Promise<Ctx> {
	return { db: await db(), actor: event.locals.actor, now: systemClock };
}

/** The client's address as the Node adapter sees it (ADDRESS_HEADER configures proxies). */
export function clientAddress(event: Pick<RequestEvent, 'getClientAddress'>): string {
	try {
		return event.getClientAddress();
	} catch {
		return 'unknown';
	}
}
