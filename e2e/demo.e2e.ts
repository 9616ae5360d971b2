import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { expectAccessible, launchBrowser, screenshot, SCREENSHOTS, signedInPage, startServer, type RunningServer } from './support.ts';
import { openDatabase } from '../src/lib/server/platform/db/database.ts';
import { DEMO_ADMIN, DEMO_PASSWORD } from '../src/lib/server/modules/members/members.seed.ts';
import { DEMO_GROUPS } from '../src/lib/server/modules/groups/groups.seed.ts';

/*
 * The demo's best part (issue 11, defect 11): on a site seeded with `caucus seed --demo`, the chair of the
 * Large Scale SIG hands one of the group's accepted needs upstream into the demo's sandbox tracker, sees
 * it linked on the need, opens the sandbox issue (marked as a sandbox, never a real tracker), plays the
 * developers there, and a sync moves the need. Before, the demo's only tracker was disabled and *Hand
 * upstream* said there was none.
 */

let server: RunningServer;
let browser: Browser;
let dataDir: string;
const found = { chairEmail: '', need: 0, title: '', publicIssue: '' };

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-demo-'));
	const seeded = spawnSync(process.execPath, ['bin/caucus.js', 'seed', '--demo'], { env: { ...process.env, CAUCUS_DATA: dataDir }, encoding: 'utf8' });
	expect(seeded.status, seeded.stderr).toBe(0);
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const db = opened.db;
		const group = await db.selectFrom('group').select('id').where('name', '=', DEMO_GROUPS[0].name).executeTakeFirstOrThrow();
		const chair = await db
			.selectFrom('group_membership')
			.innerJoin('member', 'member.id', 'group_membership.member_id')
			.select('member.email')
			.where('group_membership.group_id', '=', group.id)
			.where('group_membership.role', '=', 'chair')
			// The administrator who founded the group chairs it too; the demo's chair is a member like any other.
			.where('member.is_admin', '=', false)
			.executeTakeFirstOrThrow();
		found.chairEmail = chair.email;
		// An accepted need of the chair's group that nobody handed yet.
		const need = await db
			.selectFrom('need')
			.select(['id', 'title'])
			.where('group_id', '=', group.id)
			.where('status', '=', 'accepted')
			.where((eb) => eb.not(eb.exists(eb.selectFrom('handoff').select('id').whereRef('handoff.need_id', '=', 'need.id'))))
			.orderBy('id')
			.executeTakeFirstOrThrow();
		found.need = Number(need.id);
		found.title = need.title;
		// A sandbox issue of a need outside any group, which a visitor may read.
		const handed = await db
			.selectFrom('handoff')
			.innerJoin('need', 'need.id', 'handoff.need_id')
			.select('handoff.upstream_url')
			.where('need.group_id', 'is', null)
			.orderBy('handoff.id')
			.executeTakeFirstOrThrow();
		found.publicIssue = handed.upstream_url;
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

describe('walking a handoff end to end on the demo', () => {
	it('the chair hands a need into the sandbox tracker, sees it linked, plays the developers, and the sync moves the need', async () => {
		const page = await signedInPage(browser, server.url, found.chairEmail, DEMO_PASSWORD);
		await page.goto(`${server.url}/needs/${found.need}`);
		await page.getByRole('link', { name: 'Hand upstream' }).click();
		await page.waitForURL(`**/needs/${found.need}/handoff`);
		expect(await page.getByText('There is no tracker').count()).toBe(0);

		// 1. Choose the tracker: the sandbox, which says what it is.
		const tracker = page.locator('#field-tracker');
		const sandbox = await tracker.locator('option', { hasText: 'Sandbox' }).getAttribute('value');
		await tracker.selectOption(sandbox!);
		await page.getByRole('button', { name: 'Draft it' }).click();
		await page.getByText('is a sandbox, not a real tracker').waitFor();
		expect(await page.getByLabel('Title').inputValue()).toBe(found.title);
		await expectAccessible(page);

		// 2. Create it: back on the need, linked, marked as a sandbox.
		await page.getByRole('button', { name: /^Create in .*\(sandbox\)$/ }).click();
		await page.waitForURL(`**/needs/${found.need}?handed=1#upstream`);
		const upstream = page.locator('#upstream');
		const link = upstream.getByRole('link', { name: found.title });
		await link.waitFor();
		expect(await upstream.textContent()).toMatch(/Handed upstream/);
		expect(await upstream.locator('.badge', { hasText: 'Sandbox' }).count()).toBe(1);
		expect(await link.getAttribute('href')).toMatch(/^\/sandbox\/\d+\/issues\/\d+$/);
		await expectAccessible(page);
		mkdirSync(SCREENSHOTS, { recursive: true });
		await upstream.screenshot({ path: join(SCREENSHOTS, 'demo-need-handoff-section.png') });

		// 3. The sandbox issue: what was handed up, unmistakably not a real tracker.
		await link.click();
		await page.waitForURL(/\/sandbox\/\d+\/issues\/\d+$/);
		await page.getByText('Sandbox: not a real tracker').waitFor();
		expect(await page.getByRole('heading', { level: 1 }).textContent()).toContain(found.title);
		expect(await page.getByRole('region', { name: 'The issue as it was handed up' }).textContent()).toContain('Evidence from operators');
		expect(await page.getByRole('link', { name: `#${found.need} ${found.title}` }).count()).toBe(1);
		expect(await page.locator('.meta').textContent()).toMatch(/opened .* UTC by .+ through Caucus/);
		await expectAccessible(page);
		await screenshot(page, 'demo-sandbox-issue');

		// 4. Play the developers, then sync: the need follows.
		await page.getByLabel('State').selectOption('in_progress');
		await page.getByLabel('Release').fill('2027.1');
		await page.getByLabel('Note').fill('A first patch set is up for review.');
		await page.getByRole('button', { name: 'Update the issue' }).click();
		await page.getByText('is now “In progress” (2027.1)').waitFor();
		await page.getByText('A first patch set is up for review.').waitFor();
		await expectAccessible(page);
		await screenshot(page, 'demo-sandbox-issue-moved');
		await page.getByRole('button', { name: `Sync need #${found.need} now` }).click();
		await page.getByText('Synced with the trackers').waitFor();
		expect(await page.getByRole('status').first().textContent()).toMatch(/New → In progress \(2027\.1\); need is now in progress/);
		await page.goto(`${server.url}/needs/${found.need}`);
		expect(await page.locator('#upstream').textContent()).toMatch(/In progress/);
		await page.context().close();
	});

	it('a visitor reads a sandbox issue of a public need, marked as a sandbox, and the tracker’s list', async () => {
		const page = await (await browser.newContext()).newPage();
		await page.goto(`${server.url}${found.publicIssue}`);
		await page.getByText('Sandbox: not a real tracker').waitFor();
		expect(await page.getByRole('heading', { name: 'Play the developers' }).count()).toBe(0);
		await expectAccessible(page);
		await page.getByRole('link', { name: /^← Sandbox tracker/ }).click();
		await page.getByText('Sandbox: not a real tracker').waitFor();
		expect(await page.locator('ol.issues li').count()).toBeGreaterThan(5);
		await expectAccessible(page);
		await page.context().close();
	});

	it('administrators find the sandbox among the tracker kinds, and the demo’s sandbox enabled', async () => {
		const page = await signedInPage(browser, server.url, DEMO_ADMIN.email, DEMO_PASSWORD);
		await page.goto(`${server.url}/admin/trackers`);
		const row = page.locator('tr', { hasText: 'Sandbox tracker (demo)' });
		expect(await row.locator('.badge', { hasText: 'Sandbox' }).count()).toBe(1);
		expect(await row.textContent()).toContain('Enabled');
		await page.getByRole('link', { name: 'Sandbox (practice tracker inside Caucus)' }).click();
		await page.getByText('A sandbox is a practice tracker inside Caucus').waitFor();
		expect(await page.getByLabel('API base URL').count()).toBe(0);
		await expectAccessible(page);
		await page.context().close();
	});
});
