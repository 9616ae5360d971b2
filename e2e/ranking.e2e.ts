import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, screenshot, SCREENSHOTS, signedInPage, startServer, withoutSiteScripts, type RunningServer } from './support.ts';
import { openDatabase } from '../src/lib/server/platform/db/database.ts';
import { migrate } from '../src/lib/server/modules.ts';
import { buildMember, FACTORY_PASSWORD } from '../src/lib/server/modules/members/members.factories.ts';
import { addMembership, buildGroup } from '../src/lib/server/modules/groups/groups.factories.ts';
import { buildNeed } from '../src/lib/server/modules/needs/needs.factories.ts';
import { buildCycle } from '../src/lib/server/modules/cycles/cycles.factories.ts';
import { buildPriorityRound } from '../src/lib/server/modules/priorities/priorities.factories.ts';

/*
 * Ranking a long ballot (issue 11). A round has twelve candidates. Ana ranks with JavaScript: by dragging
 * with the mouse (a rank of its own, then onto another need to tie), with the keyboard only (pick up,
 * arrows, drop; a tie; a move cancelled with Escape) and with the buttons; she saves, reloads and finds
 * her needs in the order she ranked them, ties grouped. Ben, without JavaScript, casts the same ballot
 * with the rank menus as before and it is stored the same.
 */

let server: RunningServer;
let browser: Browser;
let dataDir: string;
let roundUrl: string;
const n: number[] = [];
const titles = [
	'Zero-downtime Nova upgrades',
	'Neutron OVN migration tooling',
	'Cinder backups to object storage',
	'Keystone federation with OIDC groups',
	'Placement traits for GPU partitions',
	'Glance image import from a URL',
	'Octavia TLS re-encryption',
	'Heat template linting',
	'Swift erasure-coding repair speed',
	'Designate zone transfers',
	'Ironic firmware updates',
	'Manila share replication'
];

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-ranking-'));
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const db = opened.db;
		await migrate(db);
		await buildMember(db, { handle: 'root', email: 'admin@example.org', isAdmin: true });
		const chair = await buildMember(db, { handle: 'cora', displayName: 'Cora Chair', email: 'cora@example.org' });
		const group = await buildGroup(db, { slug: 'ops', name: 'Ops', visibility: 'open', chair });
		for (const handle of ['ana', 'ben']) await addMembership(db, group, await buildMember(db, { handle, email: `${handle}@example.org` }));
		for (const title of titles) n.push((await buildNeed(db, { group, title, status: 'accepted' })).id);
		const round = await buildPriorityRound(db, {
			group,
			cycle: await buildCycle(db),
			title: 'Ops priorities',
			candidates: n.map((id) => ({ id })),
			openedBy: chair
		});
		roundUrl = `/priorities/rounds/${round.id}`;
	} finally {
		await opened.close();
	}
	[server, browser] = await Promise.all([startServer({}, { dataDir }), launchBrowser()]);
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const title = (id: number) => titles[n.indexOf(id)];
const handle = (page: Page, id: number) => page.getByRole('button', { name: `Move ${title(id)}`, exact: true });
const tierBox = (page: Page, rank: number) => page.locator('.ranker .tier').nth(rank - 1);
const said = (page: Page) => page.locator('.ranker [aria-live]').textContent();
/** The ranking as shown: tiers of need ids, then the unranked ones. */
const shown = (page: Page) =>
	page.evaluate(() => ({
		tiers: [...document.querySelectorAll('.ranker .tier')].map((tier) =>
			[...tier.querySelectorAll<HTMLElement>('[data-grab]')].map((b) => Number(b.dataset.grab))
		),
		unranked: [...document.querySelectorAll<HTMLElement>('.ranker .unranked [data-grab]')].map((b) => Number(b.dataset.grab))
	}));
/** What the form would post: rank-<id> → value, for the fields that rank something. */
const posted = (page: Page) =>
	page.evaluate(() =>
		Object.fromEntries(
			[...new FormData(document.querySelector<HTMLFormElement>('form[action="?/vote"]')!).entries()].filter(([k, v]) => k.startsWith('rank-') && v !== '')
		)
	);
const focusedGrab = (page: Page) => page.evaluate(() => Number(document.activeElement?.getAttribute('data-grab')));
/** A screenshot of what the window shows, mid-gesture (a full-page one would resize the window under the pointer). */
const snap = (page: Page, name: string) => (mkdirSync(SCREENSHOTS, { recursive: true }), page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) }));

/** Presses the mouse on a need's handle and moves it to `y` (0 top … 1 bottom) of the target box, not letting go. */
async function dragOver(page: Page, id: number, target: Locator, y: number) {
	const from = (await handle(page, id).boundingBox())!;
	await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
	await page.mouse.down();
	await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 - 12, { steps: 2 });
	const box = (await target.boundingBox())!;
	await page.mouse.move(box.x + box.width / 2, box.y + box.height * y, { steps: 10 });
}
async function dragTo(page: Page, id: number, target: Locator, y: number) {
	await dragOver(page, id, target, y);
	await page.mouse.up();
}

async function fitsWidth(page: Page, width: number) {
	await page.setViewportSize({ width, height: 844 });
	expect(await page.evaluate(() => document.documentElement.scrollWidth), `${width} px`).toBeLessThanOrEqual(width);
}

describe('ranking a long ballot', () => {
	it('with the mouse, the keyboard and the buttons; saved, it comes back in order with its ties; the same ballot is cast without JavaScript', async () => {
		const ana = await signedInPage(browser, server.url, 'ana@example.org');
		await ana.setViewportSize({ width: 1280, height: 1600 });
		await ana.goto(`${server.url}${roundUrl}`);
		await ana.locator('.ranker').waitFor();
		// The widget took the rank menus' place; nothing is ranked yet and every need is listed, in the round's order.
		expect(await ana.locator('select[name^="rank-"]').count()).toBe(0);
		expect(await shown(ana)).toEqual({ tiers: [], unranked: n });
		await expectAccessible(ana);

		// The mouse: the last need into the empty ranking, a second one below it, a third onto the second to tie.
		await dragTo(ana, n[11], ana.locator('.ranker .empty'), 0.5);
		expect(await shown(ana).then((s) => s.tiers)).toEqual([[n[11]]]);
		expect(await said(ana)).toContain(`Dropped ${titles[11]}: rank 1 of 1.`);
		await dragTo(ana, n[2], tierBox(ana, 1), 0.9);
		expect(await shown(ana).then((s) => s.tiers)).toEqual([[n[11]], [n[2]]]);
		await dragOver(ana, n[7], tierBox(ana, 2), 0.5);
		expect(await tierBox(ana, 2).getAttribute('class')).toContain('tie-target');
		await snap(ana, 'ranking-mouse-1280');
		await ana.mouse.up();
		expect(await shown(ana).then((s) => s.tiers)).toEqual([[n[11]], [n[2], n[7]]]);
		expect(await said(ana)).toContain(`rank 2 of 2, tied with ${titles[2]}`);
		expect(await tierBox(ana, 2).textContent()).toContain('tied');

		// The keyboard only: Space picks a need up, the arrows move it, Space drops it; focus stays on its handle.
		await handle(ana, n[4]).focus();
		await ana.keyboard.press('Space');
		expect(await handle(ana, n[4]).getAttribute('aria-pressed')).toBe('true');
		expect(await said(ana)).toContain(`Picked up ${titles[4]}, unranked.`);
		await ana.keyboard.press('ArrowUp');
		expect(await said(ana)).toBe(`${titles[4]}: rank 3 of 3.`);
		expect(await focusedGrab(ana)).toBe(n[4]);
		await ana.keyboard.press('Space');
		expect(await said(ana)).toBe(`Dropped ${titles[4]}: rank 3 of 3.`);
		expect(await handle(ana, n[4]).getAttribute('aria-pressed')).toBe('false');
		// A tie by keyboard: up past rank 3, then back down onto it. Enter works as Space does.
		await handle(ana, n[0]).focus();
		await ana.keyboard.press('Enter');
		for (const key of ['ArrowUp', 'ArrowUp', 'ArrowUp']) await ana.keyboard.press(key);
		expect(await shown(ana).then((s) => s.tiers)).toEqual([[n[11]], [n[2], n[7]], [n[0]], [n[4]]]);
		await ana.keyboard.press('ArrowDown');
		expect(await said(ana)).toBe(`${titles[0]}: rank 3 of 3, tied with ${titles[4]}.`);
		await snap(ana, 'ranking-keyboard-1280');
		await expectAccessible(ana);
		await ana.keyboard.press('Enter');
		expect(await shown(ana).then((s) => s.tiers)).toEqual([[n[11]], [n[2], n[7]], [n[4], n[0]]]);
		// Escape puts a need back where it was picked up.
		await handle(ana, n[9]).focus();
		await ana.keyboard.press('Space');
		for (const key of ['ArrowUp', 'ArrowUp', 'Home']) await ana.keyboard.press(key);
		expect(await shown(ana).then((s) => s.tiers[0])).toEqual([n[9]]);
		await ana.keyboard.press('Escape');
		expect(await said(ana)).toBe(`Move cancelled. ${titles[9]} is back: unranked.`);
		expect(await shown(ana).then((s) => s.unranked)).toContain(n[9]);

		// The buttons, pressed from the keyboard: add a need, tie it with the rank above, unrank it; add one and move it to the top.
		await ana.getByRole('button', { name: `Add to ranking: ${titles[10]}` }).press('Enter');
		expect(await said(ana)).toBe(`${titles[10]}: rank 4 of 4.`);
		expect(await focusedGrab(ana)).toBe(n[10]);
		await ana.getByRole('button', { name: `Tie with above: ${titles[10]}` }).press('Enter');
		expect(await shown(ana).then((s) => s.tiers[2])).toEqual([n[4], n[0], n[10]]);
		await ana.getByRole('button', { name: `Unrank: ${titles[10]}` }).press('Enter');
		expect(await said(ana)).toBe(`${titles[10]}: unranked.`);
		await ana.getByRole('button', { name: `Add to ranking: ${titles[5]}` }).press('Enter');
		await ana.getByRole('button', { name: `Move to top: ${titles[5]}` }).press('Enter');
		expect(await ana.getByRole('button', { name: `Move to top: ${titles[5]}` }).getAttribute('aria-disabled')).toBe('true');

		const ballot = [[n[5]], [n[11]], [n[2], n[7]], [n[4], n[0]]];
		expect(await shown(ana).then((s) => s.tiers)).toEqual(ballot);
		const fields = Object.fromEntries(ballot.flatMap((tier, t) => tier.map((id) => [`rank-${id}`, String(t + 1)])));
		expect(await posted(ana)).toEqual(fields);
		await ana.getByRole('button', { name: 'Cast my ballot' }).click();
		expect(await ana.getByRole('status').textContent()).toContain('Your ballot is saved: 6 of 12 needs ranked.');

		// Back on the page (and again after a reload): the needs in the order ranked, ties grouped and said, the rest below in the round's order.
		for (const visit of ['after saving', 'reloaded']) {
			if (visit === 'reloaded') await ana.reload();
			await ana.locator('.ranker').waitFor();
			const again = await shown(ana);
			expect(again.tiers, visit).toEqual([[n[5]], [n[11]], [n[2], n[7]], [n[0], n[4]]]);
			expect(again.unranked, visit).toEqual([n[1], n[3], n[6], n[8], n[9], n[10]]);
			expect(await ana.locator('.ranker .tier.tie').count()).toBe(2);
			expect(await tierBox(ana, 4).locator('.rank').textContent()).toMatch(/Rank\s*4\s*tied/);
			expect(await ana.locator(`#ranker-where-${n[0]}`).textContent()).toBe(`rank 4 of 4, tied with ${titles[4]}`);
			expect(await posted(ana)).toEqual(fields);
		}
		await screenshot(ana, 'ranking-saved-1280');
		await expectAccessible(ana);

		// On a phone: nothing scrolls sideways; a drag shows its drop line and Escape cancels it; the keyboard's picked-up state.
		await fitsWidth(ana, 320);
		await fitsWidth(ana, 390);
		await screenshot(ana, 'ranking-saved-390');
		// The first ranks at the top of the window, below the edge where a drag scrolls the page.
		await tierBox(ana, 1).evaluate((el) => scrollTo(0, el.getBoundingClientRect().top + scrollY - 100));
		await dragOver(ana, n[7], tierBox(ana, 2), 0.05);
		expect(await ana.locator('.ranker .drop-line').count()).toBe(1);
		await snap(ana, 'ranking-mouse-390');
		await ana.keyboard.press('Escape');
		await ana.mouse.up();
		expect(await shown(ana).then((s) => s.tiers)).toEqual([[n[5]], [n[11]], [n[2], n[7]], [n[0], n[4]]]);
		await handle(ana, n[4]).focus();
		await ana.keyboard.press('Space');
		await ana.keyboard.press('ArrowUp');
		await ana.keyboard.press('ArrowUp');
		expect(await said(ana)).toBe(`${titles[4]}: rank 3 of 4, tied with ${titles[2]} and ${titles[7]}.`);
		await snap(ana, 'ranking-keyboard-390');
		await expectAccessible(ana);
		await ana.keyboard.press('Escape');
		expect(await posted(ana)).toEqual(fields);
		await ana.context().close();

		// Without JavaScript: the rank menus as before, listed in the saved order.
		const order = [n[5], n[11], n[2], n[7], n[0], n[4], n[1], n[3], n[6], n[8], n[9], n[10]].map((id) => `rank-${id}`);
		const menus = (page: Page) =>
			page.locator('table.ballot tbody select').evaluateAll((selects) => selects.map((s) => [(s as HTMLSelectElement).name, (s as HTMLSelectElement).value]));
		const plain = await signedInPage(browser, server.url, 'ana@example.org', FACTORY_PASSWORD, { viewport: { width: 390, height: 844 } });
		await withoutSiteScripts(plain.context());
		await plain.goto(`${server.url}${roundUrl}`);
		expect(await plain.locator('.ranker').count()).toBe(0);
		expect((await menus(plain)).map(([name]) => name)).toEqual(order);
		expect(Object.fromEntries((await menus(plain)).filter(([, v]) => v !== ''))).toEqual(fields);
		await screenshot(plain, 'ranking-no-javascript-390');
		await expectAccessible(plain);
		await plain.context().close();

		// Ben, with JavaScript disabled in his browser, casts the same ballot with the menus; it comes back the same.
		const ben = await signedInPage(browser, server.url, 'ben@example.org', FACTORY_PASSWORD, {
			javaScriptEnabled: false,
			viewport: { width: 390, height: 844 }
		});
		await ben.goto(`${server.url}${roundUrl}`);
		expect(await ben.locator('.ranker').count()).toBe(0);
		for (const [name, rank] of Object.entries(fields)) await ben.locator(`select[name="${name}"]`).selectOption(rank);
		await ben.getByRole('button', { name: 'Cast my ballot' }).click();
		expect(await ben.getByRole('status').textContent()).toContain('Your ballot is saved: 6 of 12 needs ranked.');
		expect((await menus(ben)).map(([name]) => name)).toEqual(order);
		expect(Object.fromEntries((await menus(ben)).filter(([, v]) => v !== ''))).toEqual(fields);
		await ben.context().close();
	});
});
