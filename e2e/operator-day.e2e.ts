import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, screenshot, signedInPage, startServer, type RunningServer } from './support.ts';
import { DEMO_ADMIN, DEMO_PASSWORD } from '../src/lib/server/modules/members/members.seed.ts';
import { openDatabase } from '../src/lib/server/platform/db/database.ts';

/*
 * An operator's day on the demo site (issue 11): what people stumbled on, walked through as they would.
 * The demo is seeded with the command the README gives, before the server starts.
 */

let server: RunningServer;
let browser: Browser;
let dataDir: string;
let unpublishedClosedNeed: number | null;

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-day-'));
	const seeded = spawnSync(process.execPath, ['bin/caucus.js', 'seed', '--demo'], { env: { ...process.env, CAUCUS_DATA: dataDir }, encoding: 'utf8' });
	expect(seeded.status, seeded.stderr).toBe(0);
	// What the journeys look for in the demo, read before the server locks the embedded database.
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const closedNeed = await opened.db
			.selectFrom('need')
			.innerJoin('group', 'group.id', 'need.group_id')
			.select('need.id')
			.where('group.visibility', '=', 'closed')
			.where('need.published_at', 'is', null)
			.where('need.status', '=', 'accepted')
			.executeTakeFirst();
		unpublishedClosedNeed = closedNeed ? Number(closedNeed.id) : null;
	} finally {
		await opened.close();
	}
	[server, browser] = await Promise.all([startServer({}, { dataDir }), launchBrowser()]);
}, 180_000);
afterAll(async () => {
	await browser?.close();
	await server?.stop();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const asAdmin = () => signedInPage(browser, server.url, DEMO_ADMIN.email, DEMO_PASSWORD);

/** The first need on the board: a published need anyone may comment on. */
async function firstNeed(page: Page): Promise<string> {
	await page.goto(`${server.url}/needs?sort=new`);
	const href = await page.locator('ol.needs h2 a').first().getAttribute('href');
	return `${server.url}${href}`;
}

describe('post/redirect/get (defect 4)', () => {
	it('a comment posted and the page reloaded is posted once, and the address is the need page', async () => {
		const page = await asAdmin();
		const need = await firstNeed(page);
		await page.goto(need);
		const text = `Reload check ${Date.now()}: we see this on 2025.1 too.`;
		await page.getByLabel('Add a comment').fill(text);
		await page.getByRole('button', { name: 'Comment', exact: true }).click();
		await page.getByText('Your comment is posted.').waitFor();
		expect(page.url()).toBe(need);
		await page.reload();
		expect(await page.locator('article', { hasText: text }).count()).toBe(1);
		// The message was for the post, not for every later view.
		expect(await page.getByText('Your comment is posted.').count()).toBe(0);
		await expectAccessible(page);
		await page.context().close();
	});

	it('support and withdrawal each land back on the need page with their message', async () => {
		const page = await asAdmin();
		const need = await firstNeed(page);
		await page.goto(need);
		const withdraw = page.getByRole('button', { name: /Withdraw my support/ });
		if (await withdraw.count()) {
			await withdraw.click();
			await page.getByText('You no longer support this need.').waitFor();
			expect(page.url()).toBe(need);
		}
		await page.getByRole('button', { name: 'Support this need' }).click();
		await page.getByText('You support this need.').waitFor();
		expect(page.url()).toBe(need);
		await screenshot(page, 'prg-supported');
		await page.context().close();
	});
});

describe('the administrator’s pages (defect 13)', () => {
	it('the audit log reads as sentences, and Components is among the admin sections', async () => {
		const page = await asAdmin();
		await page.goto(`${server.url}/admin/activity`);
		const log = page.getByRole('table');
		await log.waitFor();
		const text = (await log.textContent()) ?? '';
		expect(text).toMatch(
			/(filed|changed the status of|merged|joined the champions of|linked an upstream change to|handed upstream|published) (need|round|priority list) #/
		);
		expect(text).not.toMatch(/\bneed\.[a-z_]+\b|memberId|notified:/);
		await screenshot(page, 'admin-audit-log');
		await page.getByRole('navigation', { name: 'Administration' }).getByRole('link', { name: 'Components' }).click();
		await page.waitForURL(/\/admin\/components$/);
		await expectAccessible(page);
		await screenshot(page, 'admin-components');
		await page.context().close();
	});
});

describe('handing up a closed group’s unpublished need (defect 9)', () => {
	it('the hand-upstream page warns that developers cannot open it, and publishing from there makes the link back work', async () => {
		expect(unpublishedClosedNeed, 'the demo has an accepted, unpublished need in a closed group').not.toBeNull();
		const page = await asAdmin();
		await page.goto(`${server.url}/needs/${unpublishedClosedNeed}/handoff`);
		await page.getByText('The developers cannot open this need yet.').waitFor();
		await expectAccessible(page);
		await screenshot(page, 'handoff-closed-unpublished-warning');
		await page.getByRole('button', { name: 'Publish this need' }).click();
		await page.getByText('The need is published').waitFor();
		expect(await page.getByText('The developers cannot open this need yet.').count()).toBe(0);
		const visitor = await browser.newPage();
		expect((await visitor.goto(`${server.url}/needs/${unpublishedClosedNeed}`))?.status()).toBe(200);
		await visitor.close();
		await page.context().close();
	});
});

describe('a need page with many supporters', () => {
	it('puts the discussion before the supporters, folds the list after ten, and counts them by organization and segment', async () => {
		const page = await browser.newPage();
		await page.goto(`${server.url}/needs?sort=top`);
		const href = await page.locator('ol.needs h2 a').first().getAttribute('href');
		await page.goto(`${server.url}${href}`);
		const order = await page.evaluate(() => {
			const discussion = document.getElementById('discussion-heading');
			const supporters = document.getElementById('supporters-heading');
			return discussion && supporters ? discussion.compareDocumentPosition(supporters) & Node.DOCUMENT_POSITION_FOLLOWING : null;
		});
		expect(order).toBeTruthy();
		const section = page.getByRole('region', { name: /Supporters/ });
		expect(await section.getByText('By organization').count()).toBe(1);
		expect(await section.locator('> ul.supporters > li').count()).toBeLessThanOrEqual(10);
		const more = section.getByText(/^Show \d+ more supporters?$/);
		if (await more.count()) {
			await more.click();
			expect(await section.locator('details[open] li').count()).toBeGreaterThan(0);
		}
		await expectAccessible(page);
		await screenshot(page, 'need-page-discussion-first');
		await page.close();
	});
});

describe('a new API token', () => {
	it('has a copy button that puts the secret on the clipboard', async () => {
		const page = await asAdmin();
		await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
		// Hydration can reset a field typed into before it ran (see src/routes/+layout.server.ts); wait for it.
		await page.goto(`${server.url}/settings/tokens`, { waitUntil: 'networkidle' });
		await page.getByLabel('Name').fill('Nightly export');
		await page.getByRole('button', { name: 'Create token' }).click();
		await page.getByText(/Your new token/).waitFor();
		const secret = await page.getByLabel('Token', { exact: true }).inputValue();
		expect(secret).toMatch(/^cau_/);
		await page.getByRole('button', { name: 'Copy' }).click();
		await page.getByText('The token is on your clipboard.').waitFor();
		expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
		await expectAccessible(page);
		await screenshot(page, 'token-copy');
		await page.context().close();
	});
});
