import { TrackerError } from './provider.ts';

/*
 * The one way the GitHub and GitLab providers talk HTTP: JSON in and out, a timeout, and every failure
 * turned into a TrackerError that says whether trying again later may help (network trouble, 5xx, rate
 * limits) or not (bad credentials, missing project, validation).
 */

const TIMEOUT_MS = 15_000;

export async function trackerRequest<T>(
	trackerName: string,
	url: string,
	options: { method?: string; headers: Record<string, string>; body?: unknown }
): Promise<T> {
	let response: Response;
	try {
		response = await fetch(url, {
			method: options.method ?? 'GET',
			headers: { accept: 'application/json', ...options.headers, ...(options.body === undefined ? {} : { 'content-type': 'application/json' }) },
			body: options.body === undefined ? undefined : JSON.stringify(options.body),
			signal: AbortSignal.timeout(TIMEOUT_MS),
			redirect: 'error'
		});
	} catch (error) {
		throw new TrackerError(`${trackerName} could not be reached (${error instanceof Error ? error.message : String(error)}).`, { retryable: true, cause: error });
	}
	const text = await response.text();
	if (!response.ok) {
		let detail = '';
		try {
			const parsed = JSON.parse(text) as { message?: unknown; error?: unknown };
			detail = String(parsed.message ?? parsed.error ?? '');
		} catch {
			detail = text.slice(0, 200);
		}
		const status = response.status;
		const what =
			status === 401
				? 'refused the credentials'
				: status === 403
					? 'refused access (check the token’s permissions or the rate limit)'
					: status === 404
						? 'has no such project or item, or the token cannot see it'
						: status === 422 || status === 400
							? 'refused the item'
							: `answered ${status}`;
		throw new TrackerError(`${trackerName} ${what}${detail ? `: ${detail.slice(0, 300)}` : ''}.`, {
			status,
			retryable: status >= 500 || status === 429 || (status === 403 && response.headers.get('x-ratelimit-remaining') === '0')
		});
	}
	try {
		return JSON.parse(text) as T;
	} catch (error) {
		throw new TrackerError(`${trackerName} answered something that is not JSON.`, { status: response.status, retryable: true, cause: error });
	}
}

/** Splits "a, b ,c" into ["a", "b", "c"]. */
export const splitList = (value: unknown) =>
	typeof value === 'string'
		? value
				.split(',')
				.map((s) => s.trim())
				.filter(Boolean)
		: [];

export const setting = (settings: Record<string, unknown>, name: string) => {
	const value = settings[name];
	return typeof value === 'string' ? value.trim() : '';
};
