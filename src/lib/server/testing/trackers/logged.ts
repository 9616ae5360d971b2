import { vi } from 'vitest';
import { log } from '#lib/server/platform/log.ts';

/*
 * A tracker's own reason for an error goes to the server log under a reference the message names, never into the
 * message (platform/http/outgoing.ts, providers/tracker-http.ts). Tests read it back here.
 */
export function watchTrackerLog() {
	const spy = vi.spyOn(log, 'warn');
	return {
		/** What the server logged for the error whose message names a reference, as JSON; null if nothing. */
		detailOf(error: Error): string | null {
			const reference = /reference ([0-9a-f]{8})/.exec(error.message)?.[1];
			if (!reference) return null;
			const call = spy.mock.calls.find(([entry]) => (entry as { reference?: string } | undefined)?.reference === reference);
			return call ? JSON.stringify(call[0]) : null;
		},
		restore: () => spy.mockRestore()
	};
}
