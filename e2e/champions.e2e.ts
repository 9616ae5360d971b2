import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser, screenshot, startServer, type RunningServer, expectAccessible } from './support.ts';
import { openDatabase } from '../src/lib/server/platform/db/database.ts';
import { buildNeed } from '../src/lib/server/modules/needs/needs.factories.ts';
import type { NeedStatus } from '../src/lib/server/modules/needs/needs.tables.ts';

/*
 * An operator volunteers as champion of an accepted need and links the review, and the dashboard shows
 * what became of the group's needs. The administrator (created at /setup) and the operator (at /signup)
 * come through the pages; the group's needs and their upstream history are written while the server is
 * stopped (the embedded database is locked while it runs), dated around today.
 */

let server: RunningServer;
let browser: Browser;
let olga: BrowserContext;
let dataDir: string;
const DAY = 86_400_000;
const ids: Record<string, number> = {};

async function seedWhileStopped() {
	await server.stop();
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const db = opened.db;
		const now = Date.now();
		const day = (offset: number) => new Date(now + offset * DAY);
		const iso = (d: Date) => d.toISOString().slice(0, 10);
		await db
			.insertInto('cycle')
			.values({ slug: 'e2e.1', name: 'E2E cycle', starts_on: iso(day(-90)), ends_on: iso(day(90)), created_at: day(-100) })
			.execute();
		const group = await db
			.insertInto('group')
			.values({
				slug: 'compute-sig',
				name: 'Compute SIG',
				kind: 'sig',
				visibility: 'open',
				summary: '',
				charter: '',
				created_by: null,
				created_at: day(-100),
				updated_at: day(-100)
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		const tracker = await db
			.insertInto('tracker')
			.values({
				name: 'Nova bugs',
				provider: 'launchpad',
				base_url: 'https://api.launchpad.net/devel',
				project: 'nova',
				created_at: day(-100),
				updated_at: day(-100),
				disabled_at: day(-100)
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const history = async (name: string, steps: [NeedStatus, number][], components: string[]) => {
			const need = await buildNeed(db, { group, title: name, components, createdAt: day(steps[0][1] - 5) });
			let from: NeedStatus = 'new';
			for (const [to, offset] of steps) {
				await db
					.insertInto('need_status_change')
					.values({ need_id: need.id, from_status: from, to_status: to, reason: 'Agreed at the ops meetup.', actor_id: null, at: day(offset) })
					.execute();
				from = to;
			}
			await db.updateTable('need').set({ status: from }).where('id', '=', need.id).execute();
			return need;
		};
		const accepted = await history('Cells v2 archive needs a dry-run mode', [['accepted', -20]], ['nova']);
		const handed = await history(
			'Live migration aborts for NUMA-pinned instances',
			[
				['accepted', -60],
				['handed_upstream', -50]
			],
			['nova']
		);
		const delivered = await history(
			'Placement allocation candidates time out at 2,000 nodes',
			[
				['accepted', -80],
				['handed_upstream', -70],
				['delivered', -10]
			],
			['placement']
		);
		for (const [need, status, last] of [
			[handed, 'handed_upstream', -50],
			[delivered, 'delivered', -10]
		] as const) {
			await db
				.insertInto('handoff')
				.values({
					need_id: need.id,
					tracker_id: tracker.id,
					kind: 'bug',
					upstream_key: String(need.id),
					upstream_url: `https://bugs.launchpad.net/nova/+bug/${need.id}`,
					title: need.title,
					status,
					created_at: day(-50),
					upstream_updated_at: day(last)
				})
				.execute();
		}
		Object.assign(ids, { accepted: accepted.id, handed: handed.id, delivered: delivered.id });
	} finally {
		await opened.close();
		server = await startServer({}, { dataDir });
	}
}

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-champions-'));
	[server, browser] = await Promise.all([startServer({}, { dataDir }), launchBrowser()]);
	const admin = await browser.newContext();
	const page = await admin.newPage();
	await page.goto(`${server.url}/setup`);
	await page.getByLabel('Your name').fill('Ada Admin');
	await page.getByLabel('Handle').fill('ada');
	await page.getByLabel('E-mail').fill('ada@example.org');
	await page.getByLabel('Password').fill('a long admin password');
	await page.getByRole('button', { name: 'Create the administrator' }).click();
	await page.waitForURL(/\/admin/);
	await admin.close();

	olga = await browser.newContext();
	const signup = await olga.newPage();
	await signup.goto(`${server.url}/signup`);
	await signup.getByLabel('Your name').fill('Olga Operator');
	await signup.getByLabel('Handle').fill('olga');
	await signup.getByLabel('E-mail').fill('olga@example.org');
	await signup.getByLabel('Password').fill('olga password 1');
	await signup.getByRole('button', { name: 'Sign up' }).click();
	await signup.waitForURL(/\/settings\/profile/);
	await signup.close();

	await seedWhileStopped();
});
afterAll(async () => {
	await olga?.close();
	await browser?.close();
	await server?.stop();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('champions and accountability', () => {
	it('an operator champions an accepted need, links its review, and the dashboard shows what became of the group’s needs', async () => {
		const page = await olga.newPage();

		// The accepted need and the handed one wait for a champion.
		await page.goto(`${server.url}/champions`);
		await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Needs a champion');
		await expect.poll(() => page.getByRole('link', { name: /Cells v2 archive needs a dry-run mode/ }).count()).toBe(1);
		await expect.poll(() => page.getByRole('link', { name: /Live migration aborts/ }).count()).toBe(1);
		await expectAccessible(page);
		await screenshot(page, 'champions-wanted-before');

		await page.getByRole('link', { name: /Cells v2 archive needs a dry-run mode/ }).click();
		await page.waitForURL(new RegExp(`/needs/${ids.accepted}`));
		await page.getByText('Volunteer as champion or sponsor').click();
		await page.getByLabel(/Champion: I will carry it upstream/).check();
		await page.getByLabel('What you mean to do').fill('We archive 40 cells nightly; I will write the spec and the patch.');
		await page.getByRole('button', { name: 'Volunteer' }).click();
		await expect.poll(() => page.getByRole('status').textContent()).toContain('You are this need’s champion now');
		await expect.poll(() => page.getByText('You are this need’s champion since').count()).toBe(1);

		// A blog post is not a review: the field says so and keeps what was typed.
		await page.getByLabel('Link a review or pull request').fill('https://blog.example.org/our-cells-story');
		await page.getByRole('button', { name: 'Link', exact: true }).click();
		await expect.poll(() => page.locator('#change-url-error').textContent()).toContain('Gerrit change');
		expect(await page.getByLabel('Link a review or pull request').inputValue()).toBe('https://blog.example.org/our-cells-story');

		await page.getByLabel('Link a review or pull request').fill('https://review.opendev.org/c/openstack/nova/+/912345/3');
		await page.getByRole('button', { name: 'Link', exact: true }).click();
		await expect.poll(() => page.getByRole('status').textContent()).toContain('The change is linked.');
		const change = page.getByRole('link', { name: 'Gerrit change 912345' });
		await expect.poll(() => change.getAttribute('href')).toBe('https://review.opendev.org/c/openstack/nova/+/912345');
		await expect.poll(() => page.locator('.changes .state').first().textContent()).toBe('Open');
		await page.getByLabel('State of Gerrit change 912345').selectOption('merged');
		await page.getByRole('button', { name: 'Update Gerrit change 912345' }).click();
		await expect.poll(() => page.locator('.changes .state').first().textContent()).toBe('Merged');
		await expectAccessible(page);
		await screenshot(page, 'champions-need-section');

		// Championed: off the list; the handed need still waits.
		await page.goto(`${server.url}/champions`);
		await expect.poll(() => page.getByRole('link', { name: /Live migration aborts/ }).count()).toBe(1);
		expect(await page.getByRole('link', { name: /Cells v2 archive/ }).count()).toBe(0);

		// The dashboard for the group's cycle: three needs, one handed in the cycle, one delivered, one stalled.
		await page.goto(`${server.url}/accountability?cycle=e2e.1&group=compute-sig`);
		await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Accountability');
		const tile = (label: string) =>
			page
				.locator('.tile')
				.filter({ has: page.getByText(label, { exact: true }) })
				.locator('a.big');
		await expect.poll(() => tile('Needs of the cycle').textContent()).toBe('3');
		expect(await tile('Handed upstream').textContent()).toBe('2');
		expect(await tile('Delivered').textContent()).toBe('1');
		expect(await tile('Stalled handoffs').textContent()).toBe('1');
		expect(await tile('Accepted → handed').textContent()).toBe('10 d');
		expect(await tile('Handed → delivered').textContent()).toBe('60 d');
		await expectAccessible(page);
		await screenshot(page, 'accountability-dashboard');

		// Every number leads to the needs behind it.
		await tile('Stalled handoffs').click();
		await page.waitForURL(/\/accountability\/needs\?.*metric=stalled/);
		await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain('Stalled handoffs');
		const rows = page.locator('tbody tr');
		await expect.poll(() => rows.count()).toBe(1);
		expect(await rows.first().textContent()).toContain('Live migration aborts for NUMA-pinned instances');
		await expectAccessible(page);
		await screenshot(page, 'accountability-needs-stalled');

		await page.goto(`${server.url}/accountability?cycle=e2e.1&group=compute-sig`);
		await page
			.getByRole('row', { name: /^Placement/ })
			.getByRole('link', { name: '1' })
			.first()
			.click();
		await page.waitForURL(/component=placement/);
		await expect.poll(() => rows.count()).toBe(1);
		expect(await rows.first().textContent()).toContain('Placement allocation candidates');
		await page.close();
	});
});
