import { TrackerError } from './provider.ts';

/*
 * The one way every provider calls its tracker and turns its answers into TrackerErrors: refusals (4xx) are
 * final and shown to the moderator, trouble on the way (network, timeouts, 429, 5xx, an exhausted rate
 * limit) is worth retrying later.
 */

const TIMEOUT_MS = 30_000;

export interface TrackerResponse {
	status: number;
	headers: Headers;
	text: string;
}

export async function trackerRequest(
	trackerLabel: string,
	url: string,
	init: { method?: string; headers?: Record<string, string>; body?: string }
): Promise<TrackerResponse> {
	let response: Response;
	try {
		response = await fetch(url, {
			method: init.method ?? 'GET',
			headers: init.headers,
			body: init.body,
			redirect: 'follow',
			signal: AbortSignal.timeout(TIMEOUT_MS)
		});
	} catch (error) {
		throw new TrackerError(`${trackerLabel} could not be reached (${(error as Error).message}).`, { retryable: true, cause: error });
	}
	const text = await response.text().catch(() => '');
	return { status: response.status, headers: response.headers, text };
}

/** Throws the TrackerError a non-2xx answer deserves; `detail` is the tracker's own explanation, if any. */
export function failOnError(trackerLabel: string, response: TrackerResponse, detail: string | null, what: string): void {
	const { status } = response;
	if (status >= 200 && status < 300) return;
	const suffix = detail ? `: ${detail.slice(0, 500)}` : '.';
	if (status === 401) {
		throw new TrackerError(`${trackerLabel} refused the credentials (401)${suffix} Check the tracker's credentials.`, { status });
	}
	// GitHub answers an exhausted rate limit with 403: it passes, unlike a missing permission.
	if (status === 403 && response.headers.get('x-ratelimit-remaining') === '0') {
		throw new TrackerError(`${trackerLabel} rate limit is used up for now (403)${suffix}`, { status, retryable: true });
	}
	if (status === 403) {
		throw new TrackerError(`${trackerLabel} does not allow these credentials to ${what} (403)${suffix}`, { status });
	}
	if (status === 404) {
		throw new TrackerError(`${trackerLabel} has no such project or item, or the credentials cannot see it: could not ${what} (404)${suffix}`, { status });
	}
	if (status === 408 || status === 429 || status >= 500) {
		throw new TrackerError(`${trackerLabel} could not ${what} right now (${status})${suffix}`, { status, retryable: true });
	}
	throw new TrackerError(`${trackerLabel} refused to ${what} (${status})${suffix}`, { status });
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
