import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, startServer, type RunningServer, expectAccessible, signedInPage } from './support.ts';
import { openDatabase } from '../src/lib/server/platform/db/database.ts';
import { migrate } from '../src/lib/server/modules.ts';
import { buildMember } from '../src/lib/server/modules/members/members.factories.ts';
import { toActor } from '../src/lib/server/modules/members/members.queries.ts';
import { addMembership, buildGroup } from '../src/lib/server/modules/groups/groups.factories.ts';
import { buildComponent, buildNeed } from '../src/lib/server/modules/needs/needs.factories.ts';
import { addComment } from '../src/lib/server/modules/needs/needs.comments.ts';
import { buildPriorityRound } from '../src/lib/server/modules/priorities/priorities.factories.ts';

/*
 * Triage without surprises (issue 11): the triage form pre-selects no status and says what each does; a
 * chair accepts three needs at once from the group's queue and each need's history shows it; members who
 * do not lead the group, other groups' chairs and visitors see no bulk controls and cannot post them; and
 * closing a round, deleting a comment and removing a member each ask first. People, groups, needs and the
 * round are written before the server starts (the embedded database is locked while it runs).
 */

let server: RunningServer;
let browser: Browser;
let dataDir: string;
const ids = { fresh: [] as number[], accepted: 0, closedNeed: 0, round: 0, commented: 0 };
const REASON = 'Confirmed by operators at the November meetup.';

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-triage-'));
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const db = opened.db;
		await migrate(db);
		await buildMember(db, { handle: 'root', displayName: 'Ada Admin', email: 'admin@example.org', isAdmin: true });
		const cora = await buildMember(db, { handle: 'cora', displayName: 'Cora Chair', email: 'cora@example.org' });
		const mia = await buildMember(db, { handle: 'mia', displayName: 'Mia Member', email: 'mia@example.org' });
		const zed = await buildMember(db, { handle: 'zed', displayName: 'Zed Zimmer', email: 'zed@example.org' });
		const oscar = await buildMember(db, { handle: 'oscar', displayName: 'Oscar Other', email: 'oscar@example.org' });
		const compute = await buildGroup(db, { slug: 'compute-sig', name: 'Compute SIG', kind: 'sig', chair: cora });
		const ops = await buildGroup(db, { slug: 'ops-team', name: 'Ops Team', kind: 'ops_team', visibility: 'closed', chair: cora });
		await buildGroup(db, { slug: 'storage-sig', name: 'Storage SIG', kind: 'sig', chair: oscar });
		for (const g of [compute, ops]) await addMembership(db, g, mia);
		await addMembership(db, compute, zed);
		await buildComponent(db, { slug: 'nova', name: 'Compute (nova)' });
		const titles = [
			'Live migration fails for NUMA-pinned instances',
			'Cold migration loses the server group policy',
			'Resize to a flavor with fewer vCPUs leaves stale pinning',
			'Evacuate ignores the availability zone of the source host'
		];
		for (const [i, title] of titles.entries()) {
			const supporters = await Promise.all(Array.from({ length: 4 - i }, () => buildMember(db)));
			ids.fresh.push((await buildNeed(db, { group: compute, title, kind: 'bug', supporters, tags: i === 0 ? ['upgrade'] : [] })).id);
		}
		ids.accepted = (
			await buildNeed(db, { group: compute, title: 'Metrics for the cells v2 scheduler', status: 'accepted', statusReason: 'Wanted by three large clouds.' })
		).id;
		ids.closedNeed = (await buildNeed(db, { group: ops, title: 'RabbitMQ quorum queues by default', kind: 'operations' })).id;
		ids.commented = ids.accepted;
		await addComment({ db, actor: toActor(mia, 'session'), now: () => new Date() }, ids.accepted, { body: 'We see this on every upgrade.' });
		const round = await buildPriorityRound(db, { group: compute, title: 'Compute priorities 2027.1', openedBy: cora });
		ids.round = round.id;
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
const noHorizontalScroll = async (page: Page) => expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
/** A form post as a browser without JavaScript sends it, from the page at `path`. */
const post = (page: Page, path: string, form: Record<string, string>) =>
	page.request.post(`${server.url}${path}`, { form, headers: { origin: server.url }, maxRedirects: 0 });
const statusOf = async (page: Page, id: number) => (await (await page.request.get(`${server.url}/api/v1/needs/${id}`)).json()).status;

describe('triage', () => {
	it('the triage form pre-selects no status, says what each does, and holds every change to one reason rule', async () => {
		const cora = await signedIn('cora@example.org');
		await cora.goto(`${server.url}/needs/${ids.accepted}/triage`);
		const statusForm = cora.locator('form[action="?/status"]');
		// Nothing chosen: no select with a first option standing for "Declined", no radio checked.
		expect(await statusForm.locator('select').count()).toBe(0);
		expect(await statusForm.getByRole('radio').count()).toBe(2);
		expect(await statusForm.locator('input[name="status"]:checked').count()).toBe(0);
		// Each choice says what it does, before anything is chosen.
		const declined = statusForm.getByRole('radio', { name: 'Declined' });
		expect(await declined.getAttribute('aria-describedby')).toBe('effect-declined');
		expect(await cora.locator('#effect-declined').textContent()).toContain('will not take it on');
		expect(await cora.locator('#effect-triaged').textContent()).toContain('No longer accepted');
		expect(await cora.locator('#status-reason-hint').textContent()).toContain('Every status change says why, in at least 10 characters');
		await screenshot(cora, 'triage-form');
		await expectAccessible(cora);

		// "Change status" with nothing chosen does nothing: the browser asks for a choice first.
		await statusForm.getByRole('button', { name: 'Change status' }).click();
		expect(await declined.evaluate((el) => (el as HTMLInputElement).validity.valueMissing)).toBe(true);
		expect(await statusOf(cora, ids.accepted)).toBe('accepted');

		// Sending it back to triaged takes a reason of ten characters, like a decline.
		await statusForm.getByRole('radio', { name: 'Triaged' }).check();
		await cora.locator('#status-reason').fill('Hm');
		await statusForm.getByRole('button', { name: 'Change status' }).click();
		await expect.poll(() => cora.locator('#status-reason-error').textContent()).toContain('at least 10 characters');
		expect(await cora.locator('form[action="?/status"] input[name="status"]:checked').getAttribute('value')).toBe('triaged');
		expect(await statusOf(cora, ids.accepted)).toBe('accepted');
		await cora.locator('#status-reason').fill('Waiting for the scheduler rework first.');
		await cora.locator('form[action="?/status"]').getByRole('button', { name: 'Change status' }).click();
		await expect.poll(() => cora.getByRole('status').textContent()).toContain('The need is now triaged.');
		expect(await statusOf(cora, ids.accepted)).toBe('triaged');
		await cora.setViewportSize({ width: 390, height: 844 });
		await noHorizontalScroll(cora);
		await screenshot(cora, 'triage-form-390');
		await cora.context().close();
	});

	it('a chair accepts three needs at once from the group page, and each need’s history shows it', async () => {
		const cora = await signedIn('cora@example.org');
		await cora.setViewportSize({ width: 1280, height: 900 });
		await cora.goto(`${server.url}/groups/compute-sig`);
		const queue = cora.getByRole('region', { name: 'Triage queue' });
		const tabs = cora.getByRole('navigation', { name: 'Needs by state' });
		expect(await tabs.getByRole('link', { name: /New/ }).getAttribute('aria-current')).toBe('page');
		expect((await tabs.getByRole('link', { name: /New/ }).textContent())?.replace(/\s+/g, ' ').trim()).toBe('New 4');
		await screenshot(cora, 'triage-queue-1280');
		await expectAccessible(cora);

		const [a, b, c, d] = ids.fresh;
		for (const id of [a, b, c]) await queue.getByRole('checkbox', { name: new RegExp(`^#${id} `) }).check();

		// A decline with too short a reason comes back with the field's message and the selection kept.
		await queue.getByRole('radio', { name: 'Decline' }).check();
		await queue.getByLabel('Reason, for accepting or declining').fill('Nope');
		await queue.getByRole('button', { name: 'Apply to the selected needs' }).click();
		await expect.poll(() => cora.locator('#bulk-reason-error').textContent()).toContain('at least 10 characters');
		for (const id of [a, b, c]) expect(await cora.locator(`#pick-${id}`).isChecked()).toBe(true);
		expect(await cora.locator(`#pick-${d}`).isChecked()).toBe(false);
		await screenshot(cora, 'triage-queue-error');
		await expectAccessible(cora);

		await cora.getByRole('radio', { name: 'Accept' }).check();
		await cora.getByLabel('Reason, for accepting or declining').fill(REASON);
		await cora.getByRole('button', { name: 'Apply to the selected needs' }).click();
		await expect.poll(() => cora.getByRole('status').textContent()).toContain(`Accepted 3 needs: #${a}, #${b} and #${c}.`);
		const newTab = cora.getByRole('navigation', { name: 'Needs by state' }).getByRole('link', { name: /New/ });
		expect((await newTab.textContent())?.replace(/\s+/g, ' ').trim()).toBe('New 1');
		for (const id of [a, b, c]) expect(await statusOf(cora, id)).toBe('accepted');
		expect(await statusOf(cora, d)).toBe('new');

		// The accepted tab lists them, and offers no "Accept" any more.
		await cora
			.getByRole('navigation', { name: 'Needs by state' })
			.getByRole('link', { name: /Accepted/ })
			.click();
		for (const id of [a, b, c]) expect(await cora.locator(`#pick-${id}`).count()).toBe(1);
		expect(await cora.getByRole('radio', { name: 'Accept' }).count()).toBe(0);
		// Tag two of them at once.
		await cora.getByRole('checkbox', { name: new RegExp(`^#${a} `) }).check();
		await cora.getByRole('checkbox', { name: new RegExp(`^#${b} `) }).check();
		await cora.getByRole('radio', { name: 'Add a tag' }).check();
		await cora.getByLabel('Tag to add').fill('PTG-2027');
		await cora.getByRole('button', { name: 'Apply to the selected needs' }).click();
		await expect.poll(() => cora.getByRole('status').textContent()).toContain('Tagged 2 needs “ptg-2027”.');
		await expect
			.poll(() => cora.locator(`#pick-${a}`).locator('xpath=..').getByRole('list', { name: 'Tags' }).getByRole('listitem').allTextContents())
			.toEqual(['upgrade', 'ptg-2027']);

		// And file one under a component, keeping its others.
		await cora.getByRole('checkbox', { name: new RegExp(`^#${b} `) }).check();
		await cora.getByRole('radio', { name: 'Add a component' }).check();
		await cora.getByLabel('Component to add').selectOption({ label: 'Compute (nova)' });
		await cora.getByRole('button', { name: 'Apply to the selected needs' }).click();
		await expect.poll(() => cora.getByRole('status').textContent()).toContain('Added the component to 1 need.');
		expect(await cora.locator(`#pick-${b}`).locator('xpath=..').getByRole('list', { name: 'Components' }).textContent()).toBe('Compute (nova)');
		await screenshot(cora, 'triage-queue-accepted-1280');

		// Each need's history: on its triage page and on its public page, as a single change would show.
		for (const id of [a, b, c]) {
			await cora.goto(`${server.url}/needs/${id}/triage`);
			const history = (await cora.getByRole('region', { name: 'History' }).textContent()) ?? '';
			expect(history).toMatch(new RegExp(`New\\s*→\\s*Accepted\\s*by @cora\\s*—\\s*${REASON}`));
			const api = await (await cora.request.get(`${server.url}/api/v1/needs/${id}/history`)).json();
			expect(api.history).toEqual([expect.objectContaining({ action: 'status_changed', fromStatus: 'new', toStatus: 'accepted', reason: REASON })]);
		}

		// On a phone: one column, nothing wider than the screen.
		await cora.setViewportSize({ width: 390, height: 844 });
		await cora.goto(`${server.url}/groups/compute-sig?queue=new&select=all#triage`);
		expect(await cora.locator(`#pick-${d}`).isChecked()).toBe(true);
		await noHorizontalScroll(cora);
		await screenshot(cora, 'triage-queue-390');
		await expectAccessible(cora);
		await cora.goto(`${server.url}/groups/compute-sig?queue=accepted#triage`);
		await noHorizontalScroll(cora);
		await screenshot(cora, 'triage-queue-accepted-390');
		await cora.context().close();
	});

	it('members who do not lead the group, other groups’ chairs and visitors see no bulk controls, and their posts change nothing', async () => {
		const d = ids.fresh[3];
		const form = { intent: 'triage', bulk: 'decline', needIds: String(d), reason: 'Out of scope for this SIG entirely.' };
		const mia = await signedIn('mia@example.org');
		const oscar = await signedIn('oscar@example.org');
		const visitor = await (await browser.newContext()).newPage();
		for (const [page, who] of [
			[mia, 'a plain member'],
			[oscar, 'another group’s chair'],
			[visitor, 'a visitor']
		] as const) {
			await page.goto(`${server.url}/groups/compute-sig`);
			expect(await page.getByRole('heading', { level: 1 }).textContent(), who).toBe('Compute SIG');
			expect(await page.getByRole('region', { name: 'Triage queue' }).count(), who).toBe(0);
			expect(await page.locator('input[name="needIds"]').count(), who).toBe(0);
			expect(await page.getByRole('button', { name: 'Apply to the selected needs' }).count(), who).toBe(0);
			const response = await post(page, '/groups/compute-sig?/triage', form);
			expect(response.status(), who).toBe(page === visitor ? 401 : 403);
		}
		await screenshot(mia, 'triage-group-as-member');
		await expectAccessible(mia);
		expect(await statusOf(mia, d)).toBe('new');

		// A closed group: its plain member sees no queue either; an outsider does not see the group's work at all.
		await mia.goto(`${server.url}/groups/ops-team`);
		expect(await mia.getByRole('region', { name: 'Triage queue' }).count()).toBe(0);
		expect((await post(mia, '/groups/ops-team?/triage', { ...form, needIds: String(ids.closedNeed) })).status()).toBe(403);
		expect((await post(oscar, '/groups/ops-team?/triage', { ...form, needIds: String(ids.closedNeed) })).status()).toBe(404);
		const cora = await signedIn('cora@example.org');
		await cora.goto(`${server.url}/groups/ops-team`);
		const queue = cora.getByRole('region', { name: 'Triage queue' });
		expect(await queue.getByRole('checkbox', { name: /RabbitMQ quorum queues/ }).count()).toBe(1);
		expect(await queue.getByText('Unpublished').count()).toBe(1);
		await expectAccessible(cora);
		for (const page of [mia, oscar, visitor, cora]) await page.context().close();
	});

	it('closing a round, deleting a comment and removing a member each ask first', async () => {
		const cora = await signedIn('cora@example.org');
		const roundPath = `/priorities/rounds/${ids.round}`;
		await cora.goto(`${server.url}${roundPath}`);
		// The close sits apart from the ballot: above it, in its own section, not under "Cast my ballot".
		const headings = await cora.getByRole('heading', { level: 2 }).allTextContents();
		expect(headings.indexOf('Close the round')).toBeLessThan(headings.indexOf('Your ballot'));
		const closeForm = cora.locator('form[action="?/close"]');
		expect(await closeForm.isVisible()).toBe(false);
		expect(await cora.getByRole('button', { name: 'Yes, close and count now' }).isVisible()).toBe(false);
		// A single-step post (an old page, a hand-made form) closes nothing.
		expect((await post(cora, `${roundPath}?/close`, { intent: 'close' })).status()).toBe(400);
		await cora.locator('summary', { hasText: 'Close and count…' }).click();
		expect(await cora.getByText('Voting stops for everyone now').isVisible()).toBe(true);
		await screenshot(cora, 'round-close-confirm');
		await expectAccessible(cora);
		await cora.setViewportSize({ width: 390, height: 844 });
		await noHorizontalScroll(cora);
		await screenshot(cora, 'round-close-confirm-390');
		await cora.setViewportSize({ width: 1280, height: 900 });
		await cora.getByRole('button', { name: 'Yes, close and count now' }).click();
		await expect.poll(() => cora.getByRole('status').textContent()).toContain('The round is closed and counted.');

		// Deleting a comment: a disclosure first, then the button that deletes.
		await cora.goto(`${server.url}/needs/${ids.commented}`);
		expect(await cora.getByRole('button', { name: /^Delete the comment/ }).isVisible()).toBe(false);
		await cora.locator('#discussion-heading ~ ol summary', { hasText: 'Delete…' }).click();
		expect(await cora.getByText('Its words are never shown again').isVisible()).toBe(true);
		await screenshot(cora, 'comment-delete-confirm');
		await expectAccessible(cora);
		await cora.getByRole('button', { name: /^Delete the comment/ }).click();
		await expect.poll(() => cora.getByRole('status').textContent()).toContain('The comment is deleted.');
		expect(await cora.getByText('This comment was deleted.').count()).toBe(1);

		// Removing a member.
		await cora.goto(`${server.url}/groups/compute-sig`);
		const zed = cora.getByRole('listitem').filter({ has: cora.getByRole('link', { name: 'Zed Zimmer' }) });
		expect(await zed.getByRole('button', { name: /^Remove Zed Zimmer/ }).isVisible()).toBe(false);
		expect((await post(cora, '/groups/compute-sig?/remove', { intent: 'remove-zed', handle: 'zed' })).status()).toBe(400);
		await zed.locator('summary', { hasText: 'Remove…' }).click();
		expect(await zed.getByText('stops being a member of Compute SIG').isVisible()).toBe(true);
		await screenshot(cora, 'member-remove-confirm');
		await expectAccessible(cora);
		await zed.getByRole('button', { name: /^Remove Zed Zimmer/ }).click();
		await expect.poll(() => cora.getByRole('status').textContent()).toContain('You removed @zed from the group.');
		expect(await cora.getByRole('link', { name: 'Zed Zimmer' }).count()).toBe(0);
		await cora.context().close();
	});
});
