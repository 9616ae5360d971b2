import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './support.ts';

/**
 * An attacker tries the server's doors without a browser: the data of admin and settings pages with every
 * invalidation mask, cookie-authenticated API writes from another site, bodies without a declared length,
 * and the headers every answer must carry.
 */
let server: RunningServer;
let adminCookie: string;
let memberCookie: string;
let memberToken: string;

const ROUTES = new URL('../src/routes', import.meta.url).pathname;
const PASSWORD = 'a long enough password';

/** Every page under a route group, as a path with each [param] or [param=matcher] filled in with 1. */
function pagesOf(group: string): string[] {
	const pages: string[] = [];
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir)) {
			const path = join(dir, entry);
			if (statSync(path).isDirectory()) walk(path);
			else if (entry === '+page.svelte') {
				const route = relative(join(ROUTES, group), dir).replace(/\[\w+(?:=\w+)?\]/g, '1');
				pages.push(`/${route}`);
			}
		}
	};
	walk(join(ROUTES, group));
	return pages;
}

/** How many nodes (layouts and the page) a page's data has: every layout up the tree, and the page. */
function nodeCount(group: string, page: string): number {
	let count = 2; // the root layout and the page
	let dir = ROUTES;
	for (const segment of [group, ...page.split('/').filter(Boolean)]) {
		const next = readdirSync(dir).find((entry) => entry === segment || (/^\[\w+(?:=\w+)?\]$/.test(entry) && segment === '1'));
		if (!next) break;
		dir = join(dir, next);
		if (readdirSync(dir).some((entry) => entry.startsWith('+layout'))) count++;
	}
	return count;
}

const masks = (n: number) => Array.from({ length: 2 ** n }, (_, i) => i.toString(2).padStart(n, '0'));

function cookieOf(response: Response): string {
	const cookie = response.headers.getSetCookie().find((c) => c.startsWith('caucus_session='));
	if (!cookie) throw new Error(`No session cookie (status ${response.status})`);
	return cookie.split(';')[0];
}

async function postForm(path: string, values: Record<string, string>, cookie?: string): Promise<Response> {
	return fetch(`${server.url}${path}`, {
		method: 'POST',
		redirect: 'manual',
		headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
		body: new URLSearchParams(values)
	});
}

beforeAll(async () => {
	server = await startServer();
	adminCookie = cookieOf(await postForm('/setup', { displayName: 'Ada Admin', handle: 'ada', email: 'ada@example.org', password: PASSWORD }));
	memberCookie = cookieOf(await postForm('/signup', { displayName: 'Mo Member', handle: 'mo', email: 'mo@example.org', password: PASSWORD }));
	const created = await fetch(`${server.url}/settings/tokens?/create`, {
		method: 'POST',
		headers: {
			origin: server.url,
			'content-type': 'application/x-www-form-urlencoded',
			accept: 'application/json',
			'x-sveltekit-action': 'true',
			cookie: memberCookie
		},
		body: new URLSearchParams({ name: 'doors' })
	});
	memberToken = (await created.text()).match(/cau_[\w-]+/)?.[0] ?? '';
	expect(memberToken).not.toBe('');
});
afterAll(async () => {
	await server?.stop();
});

describe('admin and settings pages guard their data whatever the invalidation mask', () => {
	const cases = [...pagesOf('(admin)').map((page) => ({ group: '(admin)', page })), ...pagesOf('(app)').map((page) => ({ group: '(app)', page }))];

	it('finds the pages to try', () => {
		expect(cases.map((c) => c.page)).toEqual(expect.arrayContaining(['/admin/cycles', '/admin/components', '/settings/profile', '/settings/tokens']));
	});

	it.each(cases)('$page: a visitor is sent to sign in, and no load runs', async ({ group, page }) => {
		for (const mask of masks(nodeCount(group, page))) {
			const response = await fetch(`${server.url}${page}/__data.json?x-sveltekit-invalidated=${mask}`, { redirect: 'manual' });
			const body = await response.json();
			expect(body, `${page} mask ${mask}`).toMatchObject({ type: 'redirect' });
			expect(body.location).toMatch(/^\/signin\?next=/);
		}
		const html = await fetch(`${server.url}${page}`, { redirect: 'manual' });
		expect(html.status).toBe(303);
	});

	it.each(cases.filter((c) => c.group === '(admin)'))('$page: a plain member gets 403 and no data', async ({ group, page }) => {
		for (const mask of masks(nodeCount(group, page))) {
			const response = await fetch(`${server.url}${page}/__data.json?x-sveltekit-invalidated=${mask}`, { headers: { cookie: memberCookie } });
			expect(response.status, `${page} mask ${mask}`).toBe(403);
			expect(await response.json(), `${page} mask ${mask}`).toMatchObject({ message: 'This page is for administrators.' });
		}
		expect((await fetch(`${server.url}${page}`, { headers: { cookie: memberCookie } })).status).toBe(403);
	});

	it('an administrator still reads them', async () => {
		const response = await fetch(`${server.url}/admin/cycles/__data.json?x-sveltekit-invalidated=0001`, { headers: { cookie: adminCookie } });
		expect(await response.json()).toMatchObject({ type: 'data' });
	});
});

describe('the JSON API refuses cookie-authenticated writes from other sites', () => {
	const need = { title: 'Cross-site filing attempt', body: 'Filed by a page on another site.', kind: 'feature' };

	it('refuses a session-cookie write that a browser marks as coming from another site', async () => {
		const crossSite: Record<string, string>[] = [
			{ origin: 'http://evil.example' },
			{ origin: 'null' },
			{ 'sec-fetch-site': 'cross-site' },
			{ 'sec-fetch-site': 'same-site' }
		];
		for (const headers of crossSite) {
			const response = await fetch(`${server.url}/api/v1/needs`, {
				method: 'POST',
				headers: { cookie: memberCookie, 'content-type': 'application/json', ...headers },
				body: JSON.stringify(need)
			});
			expect(response.status, JSON.stringify(headers)).toBe(403);
			expect((await response.json()).error.code).toBe('forbidden');
		}
		const list = await (await fetch(`${server.url}/api/v1/needs?q=${encodeURIComponent('Cross-site filing')}`)).json();
		expect(JSON.stringify(list)).not.toContain('Cross-site filing attempt');
	});

	it('takes the same write from the site itself, and from a bearer token whatever the Origin', async () => {
		const own = await fetch(`${server.url}/api/v1/needs`, {
			method: 'POST',
			headers: { cookie: memberCookie, origin: server.url, 'content-type': 'application/json' },
			body: JSON.stringify({ ...need, title: 'Same-site filing' })
		});
		expect(own.status).toBe(201);
		const token = await fetch(`${server.url}/api/v1/needs`, {
			method: 'POST',
			headers: { authorization: `Bearer ${memberToken}`, origin: 'http://evil.example', 'content-type': 'application/json' },
			body: JSON.stringify({ ...need, title: 'Token filing' })
		});
		expect(token.status).toBe(201);
	});
});

describe('every answer under /api is the JSON error shape (issue 11)', () => {
	const shape = { error: { code: expect.any(String), message: expect.any(String), fields: expect.any(Object) } };

	it('answers an unknown path 404 in JSON, whatever the method, and a wrong method 405 with Allow', async () => {
		for (const method of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
			for (const path of ['/api/v1/nope', '/api/v1', '/api/v1/needs/1/nope']) {
				const response = await fetch(`${server.url}${path}`, { method, headers: { authorization: `Bearer ${memberToken}` } });
				expect(response.status, `${method} ${path}`).toBe(404);
				expect(await response.json(), `${method} ${path}`).toMatchObject({ error: { code: 'not_found' } });
			}
		}
		const head = await fetch(`${server.url}/api/v1/nope`, { method: 'HEAD' });
		expect(head.status).toBe(404);
		expect(head.headers.get('content-type')).toContain('application/json');
		const wrong = await fetch(`${server.url}/api/v1/needs`, { method: 'DELETE', headers: { authorization: `Bearer ${memberToken}` } });
		expect(wrong.status).toBe(405);
		expect(wrong.headers.get('allow')).toBe('GET, POST, HEAD');
		expect(await wrong.json()).toMatchObject({ error: { code: 'method_not_allowed', message: expect.stringContaining('GET, POST and HEAD') } });
	});

	it('answers a bearer-token form or text post 415 naming application/json, with or without an Origin', async () => {
		for (const type of ['application/x-www-form-urlencoded', 'text/plain']) {
			for (const origin of [{}, { origin: 'http://evil.example' }] as Record<string, string>[]) {
				const response = await fetch(`${server.url}/api/v1/needs`, {
					method: 'POST',
					headers: { authorization: `Bearer ${memberToken}`, 'content-type': type, ...origin },
					body: 'title=Filed+as+a+form&kind=bug'
				});
				expect(response.status, `${type} ${JSON.stringify(origin)}`).toBe(415);
				const payload = await response.json();
				expect(payload).toMatchObject(shape);
				expect(payload.error.message).toContain('application/json');
			}
		}
		// A bare write with a token and no body is not a form either.
		const bare = await fetch(`${server.url}/api/v1/needs/1/follow`, { method: 'DELETE', headers: { authorization: `Bearer ${memberToken}` } });
		expect(bare.status).not.toBe(403);
		expect(await bare.json()).toBeTruthy();
	});

	it('still refuses a cross-site form post with the session cookie, in JSON, and on pages in SvelteKit’s words', async () => {
		for (const headers of [{ origin: 'http://evil.example' }, {}] as Record<string, string>[]) {
			const response = await fetch(`${server.url}/api/v1/needs`, {
				method: 'POST',
				headers: { cookie: memberCookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
				body: 'title=Cross-site+form&kind=bug'
			});
			expect(response.status, JSON.stringify(headers)).toBe(403);
			expect(await response.json()).toMatchObject({ error: { code: 'forbidden' } });
		}
		const page = await fetch(`${server.url}/settings/tokens?/create`, {
			method: 'POST',
			headers: { cookie: memberCookie, origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
			body: new URLSearchParams({ name: 'stolen' })
		});
		expect(page.status).toBe(403);
		expect(await page.text()).toBe('Cross-site POST form submissions are forbidden');
	});

	it('names the field, what was expected and the allowed values, and refuses unknown fields', async () => {
		const send = (method: string, path: string, body?: unknown) =>
			fetch(`${server.url}/api/v1${path}`, {
				method,
				headers: { authorization: `Bearer ${memberToken}`, 'content-type': 'application/json' },
				body: body === undefined ? undefined : JSON.stringify(body)
			}).then(async (r) => ({ status: r.status, body: await r.json() }));
		expect(await send('POST', '/needs', { title: 123 })).toMatchObject({ status: 400, body: { error: { fields: { title: 'Title must be text.' } } } });
		const sort = await send('GET', '/needs?sort=weird');
		expect(sort.status).toBe(400);
		expect(sort.body.error.message).toMatch(/query\.sort: Sort is one of top, new, trending, updated or relevance/);
		const filed = await send('POST', '/needs', { title: 'A need to support with a typo', body: 'Filed to be supported.', kind: 'feature' });
		const typo = await send('PUT', `/needs/${filed.body.id}/support`, { impakt: 'typo' });
		expect(typo).toMatchObject({ status: 400, body: { error: { fields: { impakt: expect.stringContaining('impact') } } } });
	});
});

describe('bodies without a declared length', () => {
	/** A body sent in chunks, with no Content-Length, of `megabytes` MB. */
	function chunkedBody(megabytes: number): ReadableStream<Uint8Array> {
		const chunk = new Uint8Array(1024 * 1024).fill(0x61);
		let sent = 0;
		return new ReadableStream({
			pull(controller) {
				if (sent++ >= megabytes) controller.close();
				else controller.enqueue(chunk);
			}
		});
	}
	const send = (path: string, headers: Record<string, string>) =>
		fetch(`${server.url}${path}`, { method: 'POST', headers, body: chunkedBody(50), duplex: 'half' } as RequestInit).catch((error: Error) => error);

	it('answers 413 to a 50 MB chunked body, on the API and on the webhook', async () => {
		for (const [path, headers] of [
			['/api/v1/needs', { authorization: `Bearer ${memberToken}`, 'content-type': 'application/json' }],
			['/api/v1/trackers/1/webhook', { 'content-type': 'application/json' }]
		] as const) {
			const response = await send(path, headers);
			// The server may also close the connection once it has answered; either way it never answers 500.
			if (response instanceof Error) continue;
			expect(response.status, path).toBe(413);
		}
		expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
	});
});

describe('every answer carries the security headers', () => {
	it('sets a Content-Security-Policy without inline scripts, and the usual protections', async () => {
		for (const path of ['/', '/needs', '/signin', '/api/v1/needs']) {
			const response = await fetch(`${server.url}${path}`);
			expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
			expect(response.headers.get('referrer-policy'), path).toBe('strict-origin-when-cross-origin');
			expect(response.headers.get('x-frame-options'), path).toBe('DENY');
		}
		const page = await fetch(`${server.url}/needs`);
		const csp = page.headers.get('content-security-policy') ?? '';
		expect(csp).toContain("frame-ancestors 'none'");
		expect(csp).toContain("img-src 'self' data:");
		const scripts = csp.split(';').find((d) => d.trim().startsWith('script-src')) ?? '';
		expect(scripts).toContain("'self'");
		expect(scripts).not.toContain('unsafe-inline');
	});
});
