import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { expectAccessible, launchBrowser, screenshot, signedInPage, startServer, type RunningServer } from './support.ts';
import { openDatabase } from '../src/lib/server/platform/db/database.ts';
import { buildMember } from '../src/lib/server/modules/members/members.factories.ts';
import { addMembership, buildGroup } from '../src/lib/server/modules/groups/groups.factories.ts';
import { buildNeed } from '../src/lib/server/modules/needs/needs.factories.ts';

/*
 * Issue 11: comments link `#123` and `@handle`, and the member mentioned is told; a chair asks a member to
 * champion a need, and the member accepts. The people, the groups and the needs are written while the server
 * is stopped (the embedded database is locked while it runs); everything else happens in the browser.
 */

let server: RunningServer;
let browser: Browser;
let dataDir: string;
const ids = { migration: 0, numa: 0, firmware: 0 };

async function seedWhileStopped() {
	await server.stop();
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const db = opened.db;
		await buildMember(db, { handle: 'ada', displayName: 'Ada Admin', email: 'ada@example.org', isAdmin: true });
		const cara = await buildMember(db, { handle: 'cara', displayName: 'Cara Chair', email: 'cara@example.org' });
		const olga = await buildMember(db, { handle: 'olga', displayName: 'Olga Operator', email: 'olga@example.org', organization: 'Nordic Cloud' });
		const ivan = await buildMember(db, { handle: 'ivan', displayName: 'Ivan Ironside', email: 'ivan@example.org' });
		const compute = await buildGroup(db, { slug: 'compute-sig', name: 'Compute SIG', visibility: 'open', chair: cara });
		const vendor = await buildGroup(db, { slug: 'vendor-sig', name: 'Vendor SIG', visibility: 'closed', chair: cara });
		await addMembership(db, compute, olga);
		await addMembership(db, vendor, ivan);
		const migration = await buildNeed(db, {
			group: compute,
			status: 'accepted',
			title: 'Live migration aborts for NUMA-pinned instances',
			body: 'The migration aborts after the copy phase.',
			author: ivan
		});
		const numa = await buildNeed(db, { group: compute, status: 'triaged', title: 'NUMA topology is lost after a resize', author: ivan });
		const firmware = await buildNeed(db, {
			group: vendor,
			status: 'accepted',
			title: 'Embargoed: the storage vendor’s firmware corrupts volumes',
			author: ivan
		});
		Object.assign(ids, { migration: migration.id, numa: numa.id, firmware: firmware.id });
	} finally {
		await opened.close();
		server = await startServer({}, { dataDir });
	}
}

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-mentions-'));
	[server, browser] = await Promise.all([startServer({}, { dataDir }), launchBrowser()]);
	await seedWhileStopped();
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('mentions and invitations', () => {
	it('a comment with #id and @handle links both, and the member mentioned is told', async () => {
		const ivan = await signedInPage(browser, server.url, 'ivan@example.org');
		await ivan.goto(`${server.url}/needs/${ids.migration}`);
		await ivan
			.getByLabel('Add a comment')
			.fill(`Same root cause as #${ids.numa}, I think. @olga, do you see it on your cells too? (We also track it in #${ids.firmware}.) Not \`#${ids.numa}\`.`);
		await ivan.getByRole('button', { name: 'Comment', exact: true }).click();
		await expect.poll(() => ivan.getByRole('status').textContent()).toContain('Your comment is posted.');

		const comment = ivan.locator('.comment-body').last();
		const needLink = comment.getByRole('link', { name: `#${ids.numa}`, exact: true });
		expect(await needLink.getAttribute('href')).toBe(`/needs/${ids.numa}`);
		expect(await needLink.getAttribute('title')).toBe('NUMA topology is lost after a resize');
		expect(await comment.getByRole('link', { name: '@olga' }).getAttribute('href')).toBe('/members/olga');
		// Ivan belongs to the closed Vendor SIG, so its need is a link for him too.
		expect(await comment.getByRole('link', { name: `#${ids.firmware}`, exact: true }).getAttribute('title')).toContain('Embargoed');
		expect(await comment.locator('code').textContent()).toBe(`#${ids.numa}`);
		await expectAccessible(ivan);
		await comment.scrollIntoViewIfNeeded();
		await screenshot(ivan, 'mentions-comment-author');

		// Olga, outside the closed group, sees the closed need's number as plain text, and nothing of its title.
		const olga = await signedInPage(browser, server.url, 'olga@example.org');
		await olga.goto(`${server.url}/needs/${ids.migration}`);
		const seen = olga.locator('.comment-body').last();
		expect(await seen.getByRole('link', { name: `#${ids.numa}`, exact: true }).count()).toBe(1);
		expect(await seen.getByRole('link', { name: `#${ids.firmware}`, exact: true }).count()).toBe(0);
		expect(await seen.textContent()).toContain(`#${ids.firmware}`);
		expect(await olga.content()).not.toContain('Embargoed');

		// She is told, on her notifications page, and the notice leads to the comment.
		await olga.getByRole('link', { name: 'Notifications' }).first().click();
		await olga.waitForURL(/\/notifications$/);
		const notice = olga.getByRole('listitem').filter({ hasText: 'Ivan Ironside mentioned you in a comment on' });
		expect(await notice.count()).toBe(1);
		await expectAccessible(olga);
		await screenshot(olga, 'mentions-notifications');
		await notice.getByRole('link', { name: `#${ids.migration} Live migration aborts for NUMA-pinned instances` }).click();
		await olga.waitForURL(new RegExp(`/needs/${ids.migration}#comment-\\d+$`));
		await olga.context().close();
		await ivan.context().close();
	});

	it('a chair asks a member to champion a need, and the member accepts and stands as its champion', async () => {
		const cara = await signedInPage(browser, server.url, 'cara@example.org');

		// The closed group's need is offered to its own members only; asking Olga says so, and nothing is sent.
		await cara.goto(`${server.url}/needs/${ids.firmware}#champions`);
		await cara.getByText('Ask someone to champion or sponsor this need').click();
		await cara.getByLabel('Their handle').fill('@olga');
		await cara.getByRole('button', { name: 'Ask', exact: true }).click();
		await expect
			.poll(() => cara.locator('#invite-handle-error').textContent())
			.toContain('Only members of this closed group champion its needs, and @olga is not one.');
		expect(await cara.getByLabel('Their handle').inputValue()).toBe('@olga');
		await expectAccessible(cara);
		await screenshot(cara, 'invite-refused-closed-group');

		await cara.goto(`${server.url}/needs/${ids.migration}#champions`);
		await cara.getByText('Ask someone to champion or sponsor this need').click();
		await cara.getByLabel('Their handle').fill('@olga');
		await cara.getByLabel('Why them').fill('You run the biggest NUMA fleet here and know the code.');
		await cara.getByRole('button', { name: 'Ask', exact: true }).click();
		await expect.poll(() => cara.getByRole('status').textContent()).toContain('@olga is asked to champion this need; they are told.');
		const invitations = cara.locator('ul.invitations');
		expect(await invitations.textContent()).toContain('Olga Operator');
		expect(await invitations.textContent()).toContain('Waiting for an answer');
		await expectAccessible(cara);
		await cara.locator('#champions').scrollIntoViewIfNeeded();
		await screenshot(cara, 'invite-asked');

		const olga = await signedInPage(browser, server.url, 'olga@example.org');
		await olga.goto(`${server.url}/notifications`);
		const notice = olga.getByRole('listitem').filter({ hasText: 'Cara Chair asks you to champion' });
		expect(await notice.textContent()).toContain('You run the biggest NUMA fleet here');
		await notice.getByRole('link').click();
		await olga.waitForURL(new RegExp(`/needs/${ids.migration}#champions$`));
		const invitation = olga.getByRole('group', { name: 'Cara Chair asks you to champion this need' });
		expect(await invitation.textContent()).toContain('You run the biggest NUMA fleet here');
		await expectAccessible(olga);
		await invitation.scrollIntoViewIfNeeded();
		await screenshot(olga, 'invite-invitee');
		// On a phone the invitation and its answers fit the width.
		await olga.setViewportSize({ width: 390, height: 844 });
		expect(await olga.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
		await invitation.scrollIntoViewIfNeeded();
		await screenshot(olga, 'invite-invitee-narrow');
		await olga.setViewportSize({ width: 1280, height: 720 });

		await invitation.getByLabel('What you mean to do').fill('I will write the spec for the next cycle.');
		await invitation.getByRole('button', { name: 'Accept' }).click();
		await expect.poll(() => olga.getByRole('status').textContent()).toContain('You are this need’s champion now');
		const champions = olga.locator('#champions dl.people');
		expect(await champions.textContent()).toContain('Olga Operator');
		expect(await champions.textContent()).toContain('I will write the spec for the next cycle.');
		expect(await olga.getByRole('group', { name: /asks you to champion/ }).count()).toBe(0);
		await expectAccessible(olga);
		await olga.locator('#champions').scrollIntoViewIfNeeded();
		await screenshot(olga, 'invite-accepted');

		// The chair sees her as champion, the invitation answered, and is told.
		await cara.goto(`${server.url}/needs/${ids.migration}`);
		expect(await cara.locator('#champions dl.people').textContent()).toContain('Olga Operator');
		expect(await cara.locator('ul.invitations').count()).toBe(0);
		await cara.goto(`${server.url}/notifications`);
		expect(await cara.getByRole('listitem').filter({ hasText: 'Olga Operator accepted your invitation to champion' }).count()).toBe(1);
		await expectAccessible(cara);
		await screenshot(cara, 'invite-chair-notified');
		await olga.context().close();
		await cara.context().close();
	});
});
