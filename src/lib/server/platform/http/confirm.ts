import { invalid } from '../errors.ts';

/**
 * The second step of a destructive form ($lib/components/ConfirmAction.svelte posts `confirmed=yes`): a post
 * that did not come through it (a page from before the step existed, a hand-made form) is refused and
 * changes nothing. `what` says what would have happened, e.g. "closing the round stops voting for everyone."
 */
export function requireConfirmed(values: Record<string, unknown>, what: string): void {
	if (values.confirmed !== 'yes') throw invalid({ confirmed: `Confirm first: ${what}` }, `Nothing was done. Confirm first: ${what}`);
}
