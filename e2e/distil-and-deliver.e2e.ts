import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, startServer, type RunningServer, expectAccessible, signedInPage, withoutSiteScripts } from './support.ts';
import { openDatabase } from '../src/lib/server/platform/db/database.ts';
import { migrate } from '../src/lib/server/modules.ts';
import { buildMember } from '../src/lib/server/modules/members/members.factories.ts';
import { toActor } from '../src/lib/server/modules/members/members.queries.ts';
import { addMembership, buildGroup } from '../src/lib/server/modules/groups/groups.factories.ts';
import { fileNeed } from '../src/lib/server/modules/needs/needs.commands.ts';
import { supportNeed } from '../src/lib/server/modules/needs/needs.supports.ts';
import { changeStatus } from '../src/lib/server/modules/needs/needs.triage.ts';
import { startFakeGitHub, type FakeGitHub } from '../src/lib/server/testing/trackers/github.ts';

/*
 * The whole loop of issue 4 in one journey: a group ranks its accepted needs, publishes the result, hands
 * the first need to the developers' GitHub, GitHub delivers it, and the need page and the accountability
 * dashboard say so. People, the group, its needs and the cycle are put in the database before the server
 * starts (the embedded database is locked while it runs); everything after that happens in the browser.
 */

let server: RunningServer;
let browser: Browser;
let github: FakeGitHub;
let dataDir: string;
const needs: Record<'quorum' | 'numa' | 'amphora', number> = { quorum: 0, numa: 0, amphora: 0 };
const WEBHOOK_SECRET = 'the-webhook-secret-of-the-whole-loop';

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-loop-'));
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const db = opened.db;
		await migrate(db);
		await buildMember(db, { handle: 'root', displayName: 'Ada Admin', email: 'admin@example.org', isAdmin: true });
		const chair = await buildMember(db, { handle: 'cora', displayName: 'Cora Chair', email: 'cora@example.org' });
		const group = await buildGroup(db, { slug: 'compute-sig', name: 'Compute SIG', visibility: 'open', chair });
		const voters = [];
		for (const handle of ['ana', 'ben', 'cleo']) {
			const member = await buildMember(db, {
				handle,
				displayName: handle[0].toUpperCase() + handle.slice(1),
				email: `${handle}@example.org`,
				organization: `${handle} cloud`
			});
			await addMembership(db, group, member);
			voters.push(member);
		}
		const as = (member: typeof chair) => ({ db, actor: toActor(member, 'session'), now: () => new Date() });
		const titles = {
			quorum: 'RabbitMQ quorum queues by default',
			numa: 'Live migration of NUMA-pinned instances',
			amphora: 'Octavia amphora failover under load'
		};
		for (const key of ['quorum', 'numa', 'amphora'] as const) {
			const need = await fileNeed(as(voters[0]), {
				title: titles[key],
				body: `Operators keep hitting this: ${titles[key].toLowerCase()}.`,
				kind: 'feature',
				groupId: group.id
			});
			needs[key] = need.id;
			await changeStatus(as(chair), need.id, { status: 'accepted', reason: 'Confirmed by operators at the November meetup.' });
		}
		await supportNeed(as(voters[1]), needs.numa, { impact: 'We drain hosts by hand on every patch day.' });
		await db
			.insertInto('cycle')
			.values({ slug: '2027.1', name: '2027.1 (Hibiscus)', starts_on: '2026-11-01', ends_on: '2027-06-30', created_at: new Date() })
			.execute();
	} finally {
		await opened.close();
	}
	[server, browser, github] = await Promise.all([
		startServer({}, { dataDir }),
		launchBrowser(),
		startFakeGitHub({ token: 'ghp_loop_token', repo: 'openstack/nova' })
	]);
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
	await github?.close();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const signedIn = (email: string) => signedInPage(browser, server.url, email);

describe('distil, hand upstream, deliver', () => {
	it('a chair opens a round, three members rank, the chair publishes, the first need goes to GitHub, GitHub delivers it, and the need and the dashboard show it', async () => {
		// The chair opens the round over the group's accepted needs.
		const chair = await signedIn('cora@example.org');
		await chair.goto(`${server.url}/groups/compute-sig/priorities`);
		await chair.getByLabel('Title').fill('Compute priorities 2027.1');
		await chair.getByRole('button', { name: 'Open the round' }).click();
		await chair.waitForURL(/\/priorities\/rounds\/\d+$/);
		const roundUrl = chair.url();

		// Three members rank; the group's judgement puts live migration first.
		const ballots: Record<string, Record<number, string>> = {
			ana: { [needs.numa]: '1', [needs.quorum]: '2', [needs.amphora]: '3' },
			ben: { [needs.numa]: '1', [needs.amphora]: '2', [needs.quorum]: '3' },
			cleo: { [needs.quorum]: '1', [needs.numa]: '2' }
		};
		for (const [handle, ranks] of Object.entries(ballots)) {
			// The rank menus, as without JavaScript (e2e/ranking.e2e.ts ranks with it).
			const member = await signedIn(`${handle}@example.org`);
			await withoutSiteScripts(member.context());
			await member.goto(roundUrl);
			for (const [needId, rank] of Object.entries(ranks)) await member.locator(`select[name="rank-${needId}"]`).selectOption(rank);
			await member.getByRole('button', { name: 'Cast my ballot' }).click();
			expect(await member.getByRole('status').textContent()).toContain('Your ballot is saved');
			await member.context().close();
		}

		// The chair closes, counts and publishes.
		await chair.goto(roundUrl);
		// Closing takes a second step (a disclosure that says what happens, then the button that does it).
		await chair.locator('summary', { hasText: 'Close and count…' }).click();
		await chair.getByRole('button', { name: 'Yes, close and count now' }).click();
		expect(await chair.getByRole('status').textContent()).toContain('closed and counted');
		await chair.getByRole('button', { name: 'Publish' }).click();
		await chair.waitForURL(/\/priorities\/\d+$/);
		const rows = await chair.locator('table.ranking tbody tr').allTextContents();
		expect(rows[0]).toContain('Live migration of NUMA-pinned instances');
		await screenshot(chair, 'loop-published-list');

		// An administrator connects the developers' GitHub.
		const admin = await signedIn('admin@example.org');
		await admin.goto(`${server.url}/admin/trackers`);
		await admin.getByRole('link', { name: 'GitHub issues' }).click();
		await admin.getByLabel('Name').fill('Nova on GitHub');
		await admin.getByLabel('API base URL').fill(github.url);
		await admin.getByLabel('Project').fill('openstack/nova');
		await admin.getByLabel(/Access token/).fill('ghp_loop_token');
		await admin.getByLabel('Webhook secret').fill(WEBHOOK_SECRET);
		await admin.getByRole('button', { name: 'Add tracker' }).click();
		await admin.waitForURL(/\/admin\/trackers\/\d+\?created=1/);
		const trackerId = Number(/trackers\/(\d+)/.exec(admin.url())![1]);
		await admin.context().close();

		// The chair, a moderator of the group, hands the list's first need upstream from the list.
		await chair.locator('table.ranking tbody tr').first().getByRole('link', { name: 'Live migration of NUMA-pinned instances' }).click();
		await chair.waitForURL(new RegExp(`/needs/${needs.numa}$`));
		await chair.getByRole('link', { name: 'Hand upstream' }).click();
		await chair.locator('#field-tracker').selectOption(String(trackerId));
		await chair.locator('#field-kind').selectOption('feature');
		await chair.getByRole('button', { name: 'Draft it' }).click();
		await chair.waitForURL(/tracker=/);
		const draft = await chair.getByLabel('Body').inputValue();
		expect(draft).toContain('Compute priorities 2027.1, v1: rank 1 of 3');
		expect(draft).toContain('We drain hosts by hand');
		await screenshot(chair, 'loop-handoff-draft');
		await chair.getByRole('button', { name: 'Create in Nova on GitHub' }).click();
		await chair.waitForURL(new RegExp(`/needs/${needs.numa}\\?handed=1`));
		expect(github.issues.get(1)?.title).toBe('Live migration of NUMA-pinned instances');

		// The developers deliver it in 2027.1 and GitHub says so.
		github.setState(1, 'completed', '2027.1');
		expect((await github.sendWebhook(`${server.url}/api/v1/trackers/${trackerId}/webhook`, WEBHOOK_SECRET, 1)).status).toBe(200);

		// Anyone reads what became of it: the need page and the dashboard.
		const visitor = await (await browser.newContext()).newPage();
		await visitor.goto(`${server.url}/needs/${needs.numa}`);
		expect(await visitor.getByRole('region', { name: 'Upstream', exact: true }).textContent()).toContain('Delivered in 2027.1');
		await expectAccessible(visitor);
		await screenshot(visitor, 'loop-need-delivered');

		await visitor.goto(`${server.url}/accountability?cycle=2027.1&group=compute-sig`);
		const delivered = visitor.locator('main a[href*="metric=delivered_in_cycle"]');
		expect(await delivered.first().textContent()).toBe('1');
		await expectAccessible(visitor);
		await screenshot(visitor, 'loop-dashboard');
		await delivered.first().click();
		await visitor.waitForURL(/\/accountability\/needs\?.*metric=delivered_in_cycle/);
		const listed = await visitor.locator('main').textContent();
		expect(listed).toContain('Live migration of NUMA-pinned instances');
		expect(listed).not.toContain('Octavia amphora failover under load');
		await chair.context().close();
		await visitor.context().close();
	});
});
