import type { Metric } from '#lib/server/modules/champions/index.ts';
import type { NeedStatus } from '#lib/server/modules/needs/index.ts';

/** The dashboard's address for a scope, and the address of the needs behind one of its numbers. */
export interface ScopeParams {
	cycle: string;
	group: string;
	days: number;
}

export const STALLED_DEFAULT = 30;

function query(values: Record<string, string | number | null | undefined>): string {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(values)) if (value !== null && value !== undefined && value !== '') params.set(key, String(value));
	return params.toString();
}

export const dashboardHref = (s: ScopeParams) =>
	`/accountability?${query({ cycle: s.cycle, group: s.group, days: s.days === STALLED_DEFAULT ? null : s.days })}`;

export const needsHref = (s: ScopeParams, metric: Metric, component?: string | null) =>
	`/accountability/needs?${query({ cycle: s.cycle, group: s.group, days: s.days === STALLED_DEFAULT ? null : s.days, metric, component })}`;

export const stateMetric = (status: NeedStatus) => `state_${status}` as Metric;

/** What each number counts, as the list behind it is titled. */
export const METRIC_LABELS: Record<Metric, string> = {
	in_scope: 'Needs of the cycle',
	state_new: 'Needs of the cycle that were new at its end',
	state_triaged: 'Needs of the cycle back in triage at its end',
	state_accepted: 'Needs of the cycle accepted and not yet handed at its end',
	state_handed_upstream: 'Needs of the cycle handed upstream at its end',
	state_in_progress: 'Needs of the cycle in progress upstream at its end',
	state_delivered: 'Needs of the cycle delivered by its end',
	state_declined: 'Needs of the cycle declined by its end',
	state_duplicate: 'Needs of the cycle merged as duplicates by its end',
	handed_in_cycle: 'Handed upstream during the cycle',
	delivered_in_cycle: 'Delivered during the cycle',
	accepted_to_handed: 'Handed during the cycle: days from accepted to handed',
	handed_to_delivered: 'Delivered during the cycle: days from handed to delivered',
	stalled: 'Stalled handoffs: no upstream change for the days chosen'
};

export const days = (n: number | null) => (n === null ? '–' : `${n.toLocaleString('en', { maximumFractionDigits: 1 })} d`);
