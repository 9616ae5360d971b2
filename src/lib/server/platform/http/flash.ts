import { redirect, type Cookies } from '@sveltejs/kit';
import { config } from '../config.ts';

/**
 * Post/redirect/get: a successful form post answers 303 to its page, so reloading shows the page again
 * instead of posting the same comment twice (issue 11). The success message rides along in a cookie that
 * the next page load takes and clears.
 */
export interface Flash {
	success: string;
	/** Which of the page's forms the message belongs to (answerOf in $lib/forms/answer.ts). */
	intent: string;
}

const FLASH_COOKIE = 'caucus_flash';
const MAX_MESSAGE = 1000;

/** The page a form posted from: its address without SvelteKit's `?/action` parameter. */
export function pageAddress(url: URL): string {
	const search = new URLSearchParams([...url.searchParams].filter(([key]) => !key.startsWith('/')));
	const query = search.toString();
	return url.pathname + (query ? `?${query}` : '');
}

export function redirectWithFlash(event: { cookies: Cookies; url: URL }, flash: Flash, location = pageAddress(event.url)): never {
	const value = JSON.stringify({ success: flash.success.slice(0, MAX_MESSAGE), intent: flash.intent.slice(0, 100) });
	event.cookies.set(FLASH_COOKIE, value, { path: '/', httpOnly: true, sameSite: 'lax', secure: config().secureCookies, maxAge: 60 });
	redirect(303, location);
}

/** The flash left by the previous post, cleared as it is read; null if none (or if it was tampered with). */
export function takeFlash(cookies: Cookies): Flash | null {
	const raw = cookies.get(FLASH_COOKIE);
	if (raw === undefined) return null;
	cookies.delete(FLASH_COOKIE, { path: '/', secure: config().secureCookies });
	try {
		const parsed: unknown = JSON.parse(raw);
		if (typeof parsed !== 'object' || parsed === null) return null;
		const { success, intent } = parsed as Record<string, unknown>;
		if (typeof success !== 'string' || typeof intent !== 'string') return null;
		return { success: success.slice(0, MAX_MESSAGE), intent: intent.slice(0, 100) };
	} catch {
		return null;
	}
}
