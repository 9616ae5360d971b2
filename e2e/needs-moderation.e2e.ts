import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, screenshot, startServer, type RunningServer, expectAccessible } from './support.ts';
import { openDatabase } from '../src/lib/server/platform/db/database.ts';
import { buildMember } from '../src/lib/server/modules/members/members.factories.ts';
import { toActor } from '../src/lib/server/modules/members/members.queries.ts';
import type { MemberRow } from '../src/lib/server/modules/members/members.tables.ts';
import { fileNeed } from '../src/lib/server/modules/needs/needs.commands.ts';
import { followNeed, supportNeed } from '../src/lib/server/modules/needs/needs.supports.ts';

/*
 * A moderator merges two needs and undoes it. The moderator is the site's first administrator, created at
 * /setup, who creates the group at /groups/new and so chairs it. The needs and their supporters are filed
 * through the domain commands while the server is stopped (the embedded database is locked while it
 * runs); then everything else happens in the browser, on the triage page, without help from the API.
 */

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-moderation-'));
	[server, browser] = await Promise.all([startServer({}, { dataDir }), launchBrowser()]);
	context = await browser.newContext();
});
afterAll(async () => {
	await context?.close();
	await browser?.close();
	await server?.stop();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Stops the server, files needs and supports straight through the commands, and starts it again. */
async function fileNeedsWhileStopped() {
	await server.stop();
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const db = opened.db;
		const group = await db.selectFrom('group').selectAll().where('slug', '=', 'compute-sig').executeTakeFirstOrThrow();
		const as = (m: MemberRow) => ({ db, actor: toActor(m, 'session'), now: () => new Date() });
		const [olga, ivan, kim, lee] = await Promise.all(
			['olga', 'ivan', 'kim', 'lee'].map((handle) =>
				buildMember(db, { handle, displayName: handle[0].toUpperCase() + handle.slice(1), email: `${handle}@example.org` })
			)
		);
		const a = await fileNeed(as(olga), {
			title: 'Live migration fails for NUMA-pinned instances',
			body: 'The migration aborts.',
			kind: 'bug',
			groupId: group.id
		});
		const b = await fileNeed(as(ivan), {
			title: 'NUMA pinned instances cannot be live migrated',
			body: 'Same here, since 2025.1.',
			kind: 'bug',
			groupId: group.id
		});
		await supportNeed(as(kim), a.id, {});
		await supportNeed(as(kim), b.id, { impact: 'Blocks our upgrade.' });
		await supportNeed(as(lee), b.id, {});
		await followNeed(as(olga), b.id);
		return { a: a.id, b: b.id };
	} finally {
		await opened.close();
		server = await startServer({}, { dataDir });
	}
}

describe('needs moderation', () => {
	it('a moderator merges two needs and undoes it', async () => {
		const page = await context.newPage();

		// The first visitor becomes the administrator, and creates the group they will moderate.
		await page.goto(server.url);
		await page.getByLabel('Your name').fill('Mo Moderator');
		await page.getByLabel('Handle').fill('mo');
		await page.getByLabel('E-mail').fill('mo@example.org');
		await page.getByLabel('Password').fill('a long moderator password');
		await page.getByRole('button', { name: 'Create the administrator' }).click();
		await page.waitForURL(/\/admin/);
		await page.goto(`${server.url}/groups/new`);
		await page.getByLabel('Name').fill('Compute SIG');
		await page.getByLabel('Kind').selectOption('sig');
		await page.getByLabel('Open', { exact: true }).check();
		await page.getByRole('button', { name: /create/i }).click();
		await page.waitForURL(/\/groups\/compute-sig$/);

		const { a, b } = await fileNeedsWhileStopped();

		// The duplicate's triage page: accessible, with the target suggested by its title.
		await page.goto(`${server.url}/needs/${b}/triage`);
		await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('NUMA pinned instances cannot be live migrated');
		await expect.poll(() => page.getByRole('link', { name: 'Live migration fails for NUMA-pinned instances' }).count()).toBe(1);
		await expectAccessible(page);
		await screenshot(page, 'triage-before-merge');

		// A merge with too short a reason comes back with the field error and the target kept.
		await page.getByLabel('Target need number').fill(String(a));
		await page.locator('#merge-reason').fill('ok');
		await page.getByRole('button', { name: 'Merge', exact: true }).click();
		await expect.poll(() => page.locator('#merge-reason-error').textContent()).toContain('at least 3 characters');
		expect(await page.getByLabel('Target need number').inputValue()).toBe(String(a));
		await screenshot(page, 'triage-merge-field-error');

		await page.locator('#merge-reason').fill('Same bug, filed twice.');
		await page.getByRole('button', { name: 'Merge', exact: true }).click();
		// olga and kim already support the target; ivan and lee are told; kim counts once.
		await expect.poll(() => page.getByRole('status').textContent()).toContain(`Merged into #${a}, which now has 4 supporters. 2 people were told.`);
		await expect.poll(() => page.getByRole('heading', { name: 'A duplicate' }).isVisible()).toBe(true);
		await expect.poll(() => page.locator('.facts .badge').first().textContent()).toBe('Duplicate');
		await expectAccessible(page);
		await screenshot(page, 'triage-after-merge');

		// On the target's page the merge is listed with its undo.
		await page.goto(`${server.url}/needs/${a}/triage`);
		await expect.poll(() => page.getByText('4 supporters').count()).toBeGreaterThan(0);
		const row = page.getByRole('row', { name: new RegExp(`#${b} NUMA pinned`) });
		await expect.poll(() => row.getByText('Same bug, filed twice.').isVisible()).toBe(true);
		await expectAccessible(page);
		await screenshot(page, 'triage-target-with-merge');
		await row.getByRole('button', { name: `Undo the merge of #${b}` }).click();
		await expect.poll(() => page.getByRole('status').textContent()).toContain(`Merge undone: #${b} is new again with 3 supporters; #${a} has 2 supporters.`);
		await expect
			.poll(() =>
				page
					.getByRole('row', { name: new RegExp(`#${b} NUMA pinned`) })
					.getByText(/Undone/)
					.isVisible()
			)
			.toBe(true);
		await screenshot(page, 'triage-after-undo');

		// The duplicate has its own status back, and its history tells the story.
		await page.goto(`${server.url}/needs/${b}/triage`);
		await expect.poll(() => page.locator('.facts .badge').first().textContent()).toBe('New');
		const history = await page.getByRole('region', { name: 'History' }).textContent();
		expect(history).toMatch(/Merged into.*Same bug, filed twice/s);
		expect(history).toContain('Merge undone');
		const api = await page.request.get(`${server.url}/api/v1/needs/${b}/history`);
		expect((await api.json()).history.map((e: { action: string }) => e.action)).toEqual(['merged_into', 'status_changed', 'merge_undone', 'status_changed']);
		// Usable on a phone: one column, nothing wider than the screen.
		await page.setViewportSize({ width: 390, height: 844 });
		expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await screenshot(page, 'triage-phone');
		await page.close();

		// Nobody else finds the triage page.
		const visitor = await browser.newPage();
		const response = await visitor.goto(`${server.url}/needs/${b}/triage`);
		expect(response?.status()).toBe(404);
		await visitor.close();
	});
});
