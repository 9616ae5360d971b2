import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, startServer, type RunningServer, expectAccessible, signedInPage, withoutSiteScripts } from './support.ts';
import { openDatabase } from '../src/lib/server/platform/db/database.ts';
import { migrate } from '../src/lib/server/modules.ts';
import { buildMember } from '../src/lib/server/modules/members/members.factories.ts';
import { addMembership, buildGroup } from '../src/lib/server/modules/groups/groups.factories.ts';
import { buildDeployment, buildNeed, buildSupport } from '../src/lib/server/modules/needs/needs.factories.ts';

/*
 * A closed ops team ranks its backlog. The people, the group and its needs are put in the database
 * before the server starts (the embedded database is locked while it runs); everything else happens in
 * the browser, without JavaScript: an administrator adds the cycle, the chair opens a round, three
 * members rank, the chair closes and publishes, and a visitor reads the public list and its Markdown
 * while the round itself stays closed to them.
 */

let server: RunningServer;
let browser: Browser;
let dataDir: string;
const needIds: number[] = [];

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-priorities-'));
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const db = opened.db;
		await migrate(db);
		await buildMember(db, { handle: 'root', displayName: 'Ada Admin', email: 'admin@example.org', isAdmin: true });
		const chair = await buildMember(db, { handle: 'cora', displayName: 'Cora Chair', email: 'cora@example.org' });
		const group = await buildGroup(db, { slug: 'ops-team', name: 'Ops Team', visibility: 'closed', chair });
		for (const handle of ['ana', 'ben', 'cleo']) {
			const m = await buildMember(db, { handle, displayName: handle[0].toUpperCase() + handle.slice(1), email: `${handle}@example.org` });
			await addMembership(db, group, m);
		}
		const crowd = await Promise.all(['d1', 'd2', 'd3', 'd4'].map((handle) => buildMember(db, { handle, email: `${handle}@example.org` })));
		const titles = [
			'RabbitMQ quorum queues by default',
			'Live migration of NUMA-pinned instances',
			'Octavia amphora failover under load',
			'Metrics for the cells v2 scheduler'
		];
		for (const [i, title] of titles.entries()) {
			const need = await buildNeed(db, { group, title, status: 'accepted' });
			needIds.push(need.id);
			// The crowd sees it differently from the team: the last need has the most supporters.
			for (const person of crowd.slice(0, i + 1)) await buildSupport(db, need, person);
		}
		await buildSupport(db, { id: needIds[1] }, await buildMember(db), { deployment: await buildDeployment(db, crowd[3], { nodes: 2000 }) });
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

const signedIn = (email: string) => signedInPage(browser, server.url, email);

describe('ranked priorities', () => {
	it('a chair opens a round, three members rank, the chair closes and publishes, and a visitor reads and exports the list', async () => {
		const admin = await signedIn('admin@example.org');
		await admin.goto(`${server.url}/admin/cycles`);
		await admin.locator('#field-slug').fill('2027.1');
		await admin.locator('#field-name').fill('2027.1 (Hibiscus)');
		await admin.locator('#field-startsOn').fill('2026-11-01');
		await admin.locator('#field-endsOn').fill('2027-06-30');
		await admin.getByRole('button', { name: 'Add cycle' }).click();
		expect(await admin.getByRole('status').textContent()).toContain('Added cycle 2027.1');
		await screenshot(admin, 'priorities-admin-cycles');
		await expectAccessible(admin);
		// A correction with the dates the wrong way round comes back with the field's message.
		await admin.locator('input[name="endsOn"][form^="form-"]').fill('2026-10-01');
		await admin.getByRole('button', { name: 'Save cycle 2027.1' }).click();
		expect(await admin.getByRole('alert').textContent()).toContain('Some fields need another look');
		expect(await admin.locator('main').textContent()).toContain('The cycle ends on or after the day it starts.');
		await admin.locator('input[name="endsOn"][form^="form-"]').fill('2027-06-30');
		await admin.getByRole('button', { name: 'Save cycle 2027.1' }).click();
		expect(await admin.getByRole('status').textContent()).toContain('Saved cycle 2027.1');

		// The chair opens the round from the group's page.
		const chair = await signedIn('cora@example.org');
		await chair.goto(`${server.url}/groups/ops-team`);
		await chair.getByRole('link', { name: 'Ranked priorities' }).click();
		await chair.waitForURL(/\/groups\/ops-team\/priorities$/);
		await chair.getByLabel('Title').fill('Ops priorities 2027.1');
		await screenshot(chair, 'priorities-group-open-form');
		await expectAccessible(chair);
		await chair.getByRole('button', { name: 'Open the round' }).click();
		await chair.waitForURL(/\/priorities\/rounds\/\d+$/);
		const roundUrl = chair.url();
		expect(await chair.getByRole('heading', { level: 1 }).textContent()).toBe('Ops priorities 2027.1');

		// Three members rank: ties and unranked needs allowed; one changes her mind.
		const [a, b, c, d] = needIds;
		const ballots: Record<string, Record<number, string>> = {
			ana: { [b]: '1', [a]: '2', [c]: '3' },
			ben: { [b]: '1', [c]: '2', [a]: '2' },
			cleo: { [a]: '1', [b]: '2', [d]: '3' }
		};
		for (const [handle, ranks] of Object.entries(ballots)) {
			// The rank menus, as without JavaScript (e2e/ranking.e2e.ts ranks with it).
			const member = await signedIn(`${handle}@example.org`);
			await withoutSiteScripts(member.context());
			await member.goto(roundUrl);
			for (const [needId, rank] of Object.entries(ranks)) await member.locator(`select[name="rank-${needId}"]`).selectOption(rank);
			await member.getByRole('button', { name: 'Cast my ballot' }).click();
			expect(await member.getByRole('status').textContent()).toContain('Your ballot is saved');
			if (handle === 'ana') {
				await screenshot(member, 'priorities-round-ballot');
				await expectAccessible(member);
				await member.locator(`select[name="rank-${d}"]`).selectOption('3');
				await member.getByRole('button', { name: 'Save my changed ballot' }).click();
				expect(await member.locator(`select[name="rank-${d}"]`).inputValue()).toBe('3');
			}
			await member.context().close();
		}

		// The chair sees the turnout, never a ballot, closes and publishes.
		await chair.goto(roundUrl);
		expect(await chair.locator('main header').textContent()).toContain('3 of 4 members ranked');
		// Closing takes a second step (a disclosure that says what happens, then the button that does it).
		await chair.locator('summary', { hasText: 'Close and count…' }).click();
		await chair.getByRole('button', { name: 'Yes, close and count now' }).click();
		expect(await chair.getByRole('status').textContent()).toContain('closed and counted');
		const result = await chair.locator('ol.result li').allTextContents();
		expect(result[0]).toContain('Live migration of NUMA-pinned instances');
		expect(await chair.locator('body').textContent()).toMatch(/Tie-break seed: round-\d+-[0-9a-f]{16}/);
		await screenshot(chair, 'priorities-round-closed');
		await expectAccessible(chair);
		await chair.getByLabel('Note (optional)').fill('Agreed at the November meeting.');
		await chair.getByRole('button', { name: 'Publish' }).click();
		await chair.waitForURL(/\/priorities\/\d+$/);
		const listPath = new URL(chair.url()).pathname;

		// A visitor: the list is public, the closed group's round is not.
		const visitor = await (await browser.newContext()).newPage();
		await visitor.goto(`${server.url}/priorities`);
		await screenshot(visitor, 'priorities-index');
		await expectAccessible(visitor);
		await visitor.getByRole('link', { name: 'Ops priorities 2027.1, v1' }).click();
		await visitor.waitForURL(`${server.url}${listPath}`);
		expect(await visitor.getByRole('heading', { level: 1 }).textContent()).toBe('Ops priorities 2027.1, v1');
		const rows = await visitor.locator('table.ranking tbody tr').allTextContents();
		expect(rows[0]).toContain('Live migration of NUMA-pinned instances');
		expect(rows).toHaveLength(4);
		const body = (await visitor.locator('main').textContent()) ?? '';
		for (const text of [
			'By supporters',
			'By deployments',
			'log₂(1 + nodes)',
			'Pairwise table',
			'Strongest paths',
			'3 of 4 members ranked',
			'Agreed at the November meeting.'
		])
			expect(body).toContain(text);
		// The need pages of a closed group stay closed: the list shows titles without links for a visitor.
		expect(await visitor.locator('table.ranking a[href^="/needs/"]').count()).toBe(0);
		await screenshot(visitor, 'priorities-list');
		await expectAccessible(visitor);

		const md = await visitor.request.get(`${server.url}${listPath}.md`);
		expect(md.status()).toBe(200);
		expect(md.headers()['content-type']).toContain('text/markdown');
		const markdown = await md.text();
		expect(markdown).toContain('# Ops priorities 2027.1, v1');
		expect(markdown).toContain('Live migration of NUMA-pinned instances');
		for (const handle of ['ana', 'ben', 'cleo', 'cora']) expect(markdown).not.toContain(`@${handle}`);
		const json = await (await visitor.request.get(`${server.url}${listPath}.json`)).json();
		expect(json.entries.map((e: { needId: number }) => e.needId)[0]).toBe(b);
		expect((await visitor.request.get(roundUrl)).status()).toBe(404);
	});
});
