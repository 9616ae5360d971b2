import { isRedirect, redirect } from '@sveltejs/kit';
import { describe, expect, it } from 'vitest';
import { safeNext } from './session-cookie.ts';

/** What a route does with the answer: SvelteKit refuses (a 500) any redirect that leaves the site. */
function redirectTo(next: string): string {
	try {
		redirect(303, safeNext(next));
	} catch (thrown) {
		if (isRedirect(thrown)) return thrown.location;
		throw thrown;
	}
	throw new Error('redirect() returned');
}

describe('safeNext', () => {
	it('keeps a plain path on this site, with its query and hash', () => {
		expect(safeNext('/needs/12')).toBe('/needs/12');
		expect(safeNext('/needs?q=nova&sort=new#top')).toBe('/needs?q=nova&sort=new#top');
		expect(safeNext('/admin/members?q=a b')).toBe('/admin/members?q=a%20b');
	});

	it.each([
		'/\t/evil.com',
		'/\n/evil.com',
		'/\r\n/evil.com',
		'/\u0000/evil.com',
		'/\\evil.com',
		'/\\/evil.com',
		'\\\\evil.com',
		'//evil.com',
		'/.//evil.com',
		'/./\t/evil.com',
		'https://evil.com/',
		'http:/evil.com',
		'javascript:alert(1)',
		'evil.com',
		'',
		' /needs',
		'/\u2028/evil.com',
		'/\ufeff/evil.com',
		`/${'a'.repeat(3000)}`
	])('falls back to / for %j, and the route redirects without an error', (next) => {
		expect(safeNext(next)).toBe('/');
		expect(redirectTo(next)).toBe('/');
	});

	it('falls back to the given fallback when there is no next', () => {
		expect(safeNext(null, '/settings/profile?welcome=1')).toBe('/settings/profile?welcome=1');
		expect(safeNext('/%09/evil.com'.replace('%09', '\t'), '')).toBe('');
	});

	it('never answers a location that leaves the site, whatever it is given', () => {
		const parts = ['/', '//', '\\', '.', '..', '%2F', '%5C', '\t', '\n', 'evil.com', '@', ':', '?', '#', 'a'];
		for (const a of parts)
			for (const b of parts)
				for (const c of parts) {
					const next = `/${a}${b}${c}`;
					const answer = safeNext(next);
					expect(new URL(answer, 'http://caucus.test').origin, next).toBe('http://caucus.test');
					expect(answer.startsWith('//') || /[\t\n\r\\]/.test(answer), next).toBe(false);
					expect(() => redirectTo(next), next).not.toThrow();
				}
	});
});
