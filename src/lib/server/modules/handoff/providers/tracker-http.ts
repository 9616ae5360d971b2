import { randomUUID } from 'node:crypto';
import { log } from '#lib/server/platform/log.ts';
import { OutgoingAddressError, outgoingRequest } from '#lib/server/platform/http/outgoing.ts';
import { TrackerError } from './provider.ts';

/*
 * The one way every provider calls its tracker and turns its answers into TrackerErrors: refusals (4xx) are
 * final, trouble on the way (network, timeouts, 429, 5xx, an exhausted rate limit) is worth retrying later.
 *
 * Requests go through platform/http/outgoing.ts, which refuses internal addresses (loopback, private, link-local,
 * metadata) after DNS and on every redirect unless CAUCUS_ALLOW_PRIVATE_TRACKERS=1. An error never carries what the
 * tracker answered: that goes to the server log under a reference the message names, so a base URL pointed at an
 * internal service cannot read its replies back through a moderator's error message.
 */

const TIMEOUT_MS = 30_000;

export interface TrackerResponse {
	status: number;
	headers: Headers;
	text: string;
}

/** A short reference that ties an error message to its server log entry. */
const newReference = () => randomUUID().slice(0, 8);

export async function trackerRequest(
	trackerLabel: string,
	url: string,
	init: { method?: string; headers?: Record<string, string>; body?: string }
): Promise<TrackerResponse> {
	try {
		const response = await outgoingRequest(url, { method: init.method ?? 'GET', headers: init.headers, body: init.body, timeoutMs: TIMEOUT_MS });
		return { status: response.status, headers: response.headers, text: response.text };
	} catch (error) {
		const reference = newReference();
		if (error instanceof OutgoingAddressError) {
			log.warn({ err: error, reference, url: redact(url) }, 'tracker request to an internal address refused');
			throw new TrackerError(
				`${trackerLabel} is on an address Caucus does not call (loopback, private, link-local or metadata; reference ${reference} in the server log). An administrator can allow such trackers with CAUCUS_ALLOW_PRIVATE_TRACKERS=1.`,
				{ cause: error }
			);
		}
		const code = (error as { code?: unknown }).code;
		const why =
			(error as Error).name === 'TimeoutError' || code === 'ABORT_ERR'
				? 'timed out'
				: typeof code === 'string' && /^E[A-Z_]+$/.test(code)
					? code
					: 'network error';
		log.warn({ err: error, reference, url: redact(url) }, 'tracker request failed on the way');
		throw new TrackerError(`${trackerLabel} could not be reached (${why}; reference ${reference} in the server log).`, { retryable: true, cause: error });
	}
}

/** The URL for the log, without its query (which may carry tokens). */
const redact = (url: string) => url.replace(/[?#].*$/, '');

/**
 * Throws the TrackerError a non-2xx answer deserves. `detail` is the tracker's own explanation, if any: it is
 * logged under a reference, never put in the message (members and chairs read these, and a base URL pointed at
 * an internal service must not turn into a way of reading it).
 */
export function failOnError(trackerLabel: string, response: TrackerResponse, detail: string | null, what: string): void {
	const { status } = response;
	if (status >= 200 && status < 300) return;
	const reference = newReference();
	log.warn(
		{ reference, tracker: trackerLabel, status, detail: detail?.slice(0, 2000) ?? null, body: response.text.slice(0, 2000) },
		'tracker refused a request'
	);
	const suffix = ` (${trackerLabel} answered ${status}; the details are in the server log, reference ${reference}).`;
	if (status === 401) {
		throw new TrackerError(`${trackerLabel} refused the credentials${suffix} Check the tracker's credentials.`, { status });
	}
	// GitHub answers an exhausted rate limit with 403: it passes, unlike a missing permission.
	if (status === 403 && response.headers.get('x-ratelimit-remaining') === '0') {
		throw new TrackerError(`${trackerLabel} rate limit is used up for now${suffix}`, { status, retryable: true });
	}
	if (status === 403) {
		throw new TrackerError(`${trackerLabel} does not allow these credentials to ${what}${suffix}`, { status });
	}
	if (status === 404) {
		throw new TrackerError(`${trackerLabel} has no such project or item, or the credentials cannot see it: could not ${what}${suffix}`, { status });
	}
	if (status === 408 || status === 429 || status >= 500) {
		throw new TrackerError(`${trackerLabel} could not ${what} right now${suffix}`, { status, retryable: true });
	}
	throw new TrackerError(`${trackerLabel} refused to ${what}${suffix}`, { status });
}

/** A JSON API call (GitHub, GitLab): the body sent as JSON, the tracker's `message` or `error` as the detail. */
export async function jsonRequest<T>(
	trackerLabel: string,
	url: string,
	init: { method?: string; headers: Record<string, string>; body?: unknown; what: string }
): Promise<T> {
	const response = await trackerRequest(trackerLabel, url, {
		method: init.method,
		headers: { accept: 'application/json', ...init.headers, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
		body: init.body === undefined ? undefined : JSON.stringify(init.body)
	});
	failOnError(trackerLabel, response, jsonErrorDetail(response), init.what);
	return parseJson<T>(trackerLabel, response);
}

function jsonErrorDetail(response: TrackerResponse): string | null {
	try {
		const parsed = JSON.parse(response.text) as { message?: unknown; error?: unknown };
		const detail = parsed.message ?? parsed.error;
		return detail === undefined ? null : String(detail);
	} catch {
		return response.text.slice(0, 200) || null;
	}
}

export function parseJson<T>(trackerLabel: string, response: TrackerResponse): T {
	try {
		return JSON.parse(response.text) as T;
	} catch (error) {
		// A proxy's HTML error page in place of JSON is passing trouble more often than not.
		throw new TrackerError(`${trackerLabel} answered with something other than JSON (${response.status}).`, {
			status: response.status,
			retryable: true,
			cause: error
		});
	}
}

/** The API root without a trailing slash. */
export function apiRoot(baseUrl: string): string {
	return baseUrl.replace(/\/+$/, '');
}

export function requireCredential(trackerLabel: string, credentials: Record<string, string> | null, name: string): string {
	const value = credentials?.[name];
	if (!value) throw new TrackerError(`${trackerLabel} has no ${name} configured: add it in the tracker's settings.`);
	return value;
}

export function settingString(settings: Record<string, unknown>, name: string, fallback = ''): string {
	const value = settings[name];
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

/** Splits "a, b ,c" into ["a", "b", "c"]. */
export const splitList = (value: unknown) =>
	typeof value === 'string'
		? value
				.split(',')
				.map((s) => s.trim())
				.filter(Boolean)
		: [];
