import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, screenshot, startServer, type RunningServer, expectAccessible } from './support.ts';
import { openDatabase } from '../src/lib/server/platform/db/database.ts';
import { buildMember } from '../src/lib/server/modules/members/members.factories.ts';
import { toActor } from '../src/lib/server/modules/members/members.queries.ts';
import { fileNeed } from '../src/lib/server/modules/needs/needs.commands.ts';
import { supportNeed } from '../src/lib/server/modules/needs/needs.supports.ts';
import { changeStatus } from '../src/lib/server/modules/needs/needs.triage.ts';
import { startFakeGitHub, type FakeGitHub } from '../src/lib/server/testing/trackers/github.ts';

/*
 * An administrator configures a GitHub tracker (a fake GitHub on a local port), hands an accepted need
 * of the group they chair upstream with a previewed and edited draft, GitHub closes the issue as completed
 * in a milestone and sends a signed webhook, and the need page shows it delivered in that milestone.
 */

let server: RunningServer;
let browser: Browser;
let context: BrowserContext;
let dataDir: string;
let github: FakeGitHub;
const SECRET = 'a-long-webhook-secret-for-the-journey';

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-handoff-'));
	[server, browser, github] = await Promise.all([
		startServer({}, { dataDir }),
		launchBrowser(),
		startFakeGitHub({ token: 'ghp_journey_token', repo: 'openstack/nova' })
	]);
	context = await browser.newContext();
});
afterAll(async () => {
	await context?.close();
	await browser?.close();
	await server?.stop();
	await github?.close();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Files and accepts a need with one supporter while the server is stopped (the embedded database is locked while it runs). */
async function acceptedNeedWhileStopped(): Promise<number> {
	await server.stop();
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const db = opened.db;
		const group = await db.selectFrom('group').selectAll().where('slug', '=', 'compute-sig').executeTakeFirstOrThrow();
		const mo = await db.selectFrom('member').selectAll().where('handle', '=', 'mo').executeTakeFirstOrThrow();
		const olga = await buildMember(db, { handle: 'olga', displayName: 'Olga', email: 'olga@example.org', organization: 'CERN' });
		const as = (m: typeof mo) => ({ db, actor: toActor(m, 'session'), now: () => new Date() });
		const need = await fileNeed(as(olga), {
			title: 'Live migration fails for NUMA-pinned instances',
			body: 'The migration aborts with a NUMA topology error.',
			kind: 'bug',
			groupId: group.id
		});
		await supportNeed(as(olga), need.id, { impact: 'We drain hosts by hand on every patch day.' });
		await changeStatus(as(mo), need.id, { status: 'accepted', reason: 'Confirmed by three operators at the ops meetup.' });
		return need.id;
	} finally {
		await opened.close();
		server = await startServer({}, { dataDir });
	}
}

describe('handing a need upstream', () => {
	it('an administrator configures GitHub, a moderator hands an accepted need upstream, GitHub delivers it and the need shows it', async () => {
		const page = await context.newPage();
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

		// The administrator adds the tracker; the token and secret are never shown back.
		await page.goto(`${server.url}/admin/trackers`);
		await page.getByRole('link', { name: 'GitHub issues' }).click();
		await page.getByLabel('Name').fill('Nova on GitHub');
		await page.getByLabel('API base URL').fill(github.url);
		await page.getByLabel('Project').fill('openstack/nova');
		await page.getByLabel('Labels on every issue').fill('operators');
		await page.getByLabel(/Access token/).fill('ghp_journey_token');
		await page.getByLabel('Webhook secret').fill(SECRET);
		await expectAccessible(page);
		await screenshot(page, 'handoff-tracker-new');
		await page.getByRole('button', { name: 'Add tracker' }).click();
		await page.waitForURL(/\/admin\/trackers\/\d+\?created=1/);
		const trackerId = Number(/trackers\/(\d+)/.exec(page.url())![1]);
		const html = await page.content();
		expect(html).not.toContain('ghp_journey_token');
		expect(html).not.toContain(SECRET);
		await expect.poll(() => page.getByText('Set. Leave blank to keep it.').count()).toBe(2);
		await expect.poll(() => page.getByText(`/api/v1/trackers/${trackerId}/webhook`).count()).toBeGreaterThan(0);
		await expectAccessible(page);
		await screenshot(page, 'handoff-tracker-edit');
		await page.goto(`${server.url}/admin/trackers`);
		await screenshot(page, 'handoff-trackers');

		const needId = await acceptedNeedWhileStopped();

		// From the need page to the draft.
		await page.goto(`${server.url}/needs/${needId}`);
		await page.getByRole('link', { name: 'Hand upstream' }).click();
		await page.waitForURL(/\/handoff$/);
		await page.locator('#field-tracker').selectOption(String(trackerId));
		await page.locator('#field-kind').selectOption('bug');
		await page.getByRole('button', { name: 'Draft it' }).click();
		await page.waitForURL(/tracker=/);
		const body = await page.getByLabel('Body').inputValue();
		expect(body).toContain('1 person from 1 organization');
		expect(body).toContain('We drain hosts by hand');
		expect(body).toContain(`/needs/${needId}`);
		expect(await page.getByLabel('Labels (comma-separated)').inputValue()).toBe('operators, bug');
		await page.getByLabel('Title').fill('Live migration of NUMA-pinned instances fails');
		await page.getByRole('button', { name: 'Preview' }).click();
		await expect.poll(() => page.getByRole('region', { name: 'Preview' }).textContent()).toContain('Evidence from operators');
		expect(await page.getByLabel('Title').inputValue()).toBe('Live migration of NUMA-pinned instances fails');
		await expectAccessible(page);
		await screenshot(page, 'handoff-draft-preview');
		await page.getByRole('button', { name: 'Create in Nova on GitHub' }).click();
		await page.waitForURL(new RegExp(`/needs/${needId}\\?handed=1`));
		expect(github.issues.get(1)?.title).toBe('Live migration of NUMA-pinned instances fails');
		const upstream = page.getByRole('region', { name: 'Upstream', exact: true });
		await expect.poll(() => upstream.textContent()).toContain('Handed upstream');
		await expectAccessible(page);
		await screenshot(page, 'handoff-need-handed');
		// "Sync now" reads the issue back; nothing changed yet.
		await upstream.getByRole('button', { name: 'Sync now' }).click();
		await expect.poll(() => page.getByRole('status').textContent()).toContain('Nothing changed upstream since the last sync.');
		await expectAccessible(page);
		await screenshot(page, 'handoff-sync-now');
		await page.goto(`${server.url}/needs/${needId}`);

		// GitHub closes it as completed in a milestone and says so by webhook; a forged delivery is refused.
		github.setState(1, 'completed', '2027.1');
		const hook = `${server.url}/api/v1/trackers/${trackerId}/webhook`;
		expect((await github.sendWebhook(hook, 'not-the-secret-at-all', 1)).status).toBe(401);
		expect((await github.sendWebhook(hook, SECRET, 1)).status).toBe(200);
		await page.reload();
		await expect.poll(() => upstream.textContent()).toContain('Delivered in 2027.1');
		const history = await page.getByRole('region', { name: 'Status history' }).textContent();
		expect(history).toContain('Delivered in 2027.1: Nova on GitHub #1 says “closed (completed)”.');
		await expectAccessible(page);
		await screenshot(page, 'handoff-need-delivered');

		// Everyone sees where it went; nobody but moderators reaches the handoff page.
		const visitor = await browser.newPage();
		await visitor.goto(`${server.url}/needs/${needId}`);
		expect(await visitor.getByRole('region', { name: 'Upstream', exact: true }).textContent()).toContain('Delivered in 2027.1');
		expect(await visitor.getByRole('link', { name: 'Hand upstream' }).count()).toBe(0);
		await visitor.setViewportSize({ width: 390, height: 844 });
		await screenshot(visitor, 'handoff-need-phone');
		// The Upstream section fits a phone (the site header's navigation overflows on its own; reported to the lead).
		expect(await visitor.locator('#upstream').evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
		const response = await visitor.goto(`${server.url}/needs/${needId}/handoff`);
		expect(response?.url()).toContain('/signin');
		await visitor.close();
		await page.close();
	});
});
