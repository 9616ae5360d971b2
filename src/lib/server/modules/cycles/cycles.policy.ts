import type { Actor } from '#lib/server/platform/context.ts';
import { forbidden, unauthenticated } from '#lib/server/platform/errors.ts';

/** Cycles are the project's calendar: everyone reads them, site administrators keep them. */
export const mayReadCycles = (_actor: Actor | null) => true;
export const mayManageCycles = (actor: Actor | null) => actor?.isAdmin === true;

export function requireManageCycles(actor: Actor | null): Actor {
	if (!actor) throw unauthenticated();
	if (!mayManageCycles(actor)) throw forbidden('Only site administrators create and change cycles.');
	return actor;
}
