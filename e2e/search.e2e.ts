import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, screenshot, startServer, type RunningServer } from './support.ts';

/*
 * Searching the board, in a real Chromium against the built server (issue 11, defect 5): part of a word
 * and a misspelt word find the needs the similar-needs box offers for them, and a search that finds
 * nothing says so, naming what was searched, with a way back.
 */

let server: RunningServer;
let browser: Browser;
let token: string;
const filed: Record<string, { id: number; title: string }> = {};

beforeAll(async () => {
	[server, browser] = await Promise.all([startServer(), launchBrowser()]);
	const context = await browser.newContext();
	const page = await context.newPage();
	await page.goto(`${server.url}/setup`);
	await page.getByLabel('Your name').fill('Ada Admin');
	await page.getByLabel('Handle').fill('ada');
	await page.getByLabel('E-mail').fill('ada@example.org');
	await page.getByLabel('Password').fill('a long admin password');
	await page.getByRole('button', { name: 'Create the administrator' }).click();
	await page.waitForURL(/\/admin/);
	const created = await page.request.post(`${server.url}/api/v1/me/tokens`, { data: { name: 'journeys' } });
	expect(created.status()).toBe(201);
	token = (await created.json()).secret;
	await context.close();

	for (const [key, title, body] of [
		['cluster', 'RabbitMQ cluster loses messages on failover', 'Queues are gone after a network partition.'],
		['upgrade', 'Kolla Ansible: the RabbitMQ upgrade needs manual steps', ''],
		['migration', 'Live migration fails between NUMA nodes', 'Instances pinned to node 1 cannot move.']
	]) {
		const response = await fetch(`${server.url}/api/v1/needs`, {
			method: 'POST',
			headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
			body: JSON.stringify({ title, body, kind: 'bug' })
		});
		expect(response.status).toBe(201);
		filed[key] = await response.json();
	}
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
});

const titles = (page: Page) => page.locator('ol.needs h2').allTextContents();
const listed = (...keys: string[]) => keys.map((key) => `#${filed[key].id} ${filed[key].title}`);

async function searchFor(page: Page, text: string) {
	await page.getByLabel('Search needs').fill(text);
	await page.getByRole('button', { name: 'Search', exact: true }).click();
	await page.waitForURL((url) => url.searchParams.get('q') === text);
}

describe('searching the board', () => {
	it('a visitor finds the RabbitMQ needs by part of the word and by a misspelling, as the similar-needs box does', async () => {
		const page = await (await browser.newContext()).newPage();
		await page.goto(`${server.url}/needs`);
		await searchFor(page, 'rabbit');
		// Best match first: both titles begin with the word searched; the more recent first.
		expect(await titles(page)).toEqual(listed('upgrade', 'cluster'));
		expect(await page.getByText('Closest to your search, matching “rabbit”').isVisible()).toBe(true);
		await expectAccessible(page);
		await screenshot(page, 'search-part-of-a-word');

		const similar = await (await page.request.get(`${server.url}/api/v1/needs/similar?title=rabbit`)).json();
		expect(similar.needs.map((n: { id: number }) => n.id).sort()).toEqual([filed.cluster.id, filed.upgrade.id].sort());

		await searchFor(page, 'rabbtmq clustr');
		expect(await titles(page)).toEqual(listed('cluster'));
		await searchFor(page, 'live migraton');
		expect(await titles(page)).toEqual(listed('migration'));
		await page.context().close();
	});

	it('a search that finds nothing says what was searched and clears it with one link', async () => {
		const page = await (await browser.newContext()).newPage();
		await page.goto(`${server.url}/needs?kind=bug`);
		await searchFor(page, 'zqxjv flurbo');
		expect(await titles(page)).toEqual([]);
		const empty = page.getByText('Nothing matched your search for “zqxjv flurbo” with these filters.');
		expect(await empty.isVisible()).toBe(true);
		expect(await page.getByText('No needs here yet.').count()).toBe(0);
		await expectAccessible(page);
		await screenshot(page, 'search-nothing-matched');

		// Clearing the search keeps the other filters.
		await page.getByRole('link', { name: 'Clear the search' }).click();
		await page.waitForURL((url) => url.pathname === '/needs' && !url.searchParams.has('q'));
		expect(new URL(page.url()).searchParams.get('kind')).toBe('bug');
		expect((await titles(page)).sort()).toEqual(listed('cluster', 'upgrade', 'migration').sort());
		expect(await page.getByLabel('Search needs').inputValue()).toBe('');
		await page.context().close();
	});
});
