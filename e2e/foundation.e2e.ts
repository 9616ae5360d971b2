import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestOidcProvider, type TestOidcProvider } from '../src/lib/server/testing/oidc-provider.ts';
import { launchBrowser, screenshot, startServer, type RunningServer, expectAccessible } from './support.ts';

/**
 * The foundation, as a newcomer lives it: the first administrator, groups, signing up and in (also through
 * a real OpenID Connect provider), a profile with a deployment, joining an open group and asking to join a
 * closed one. The steps build on each other, in order.
 */
let server: RunningServer;
let provider: TestOidcProvider;
let browser: Browser;

function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const probe = createServer();
		probe.once('error', reject);
		probe.listen(0, '127.0.0.1', () => {
			const { port } = probe.address() as { port: number };
			probe.close(() => resolve(port));
		});
	});
}

beforeAll(async () => {
	const port = await freePort();
	provider = await startTestOidcProvider({
		clientId: 'caucus-e2e',
		clientSecret: 'caucus-e2e-secret',
		redirectUri: `http://127.0.0.1:${port}/signin/oidc/callback`,
		accounts: [{ sub: 'oidc-olena', email: 'olena@example.org', email_verified: true, name: 'Olena Kovalenko', preferred_username: 'olena' }]
	});
	[server, browser] = await Promise.all([
		startServer({
			PORT: String(port),
			CAUCUS_OIDC_ISSUER: provider.issuer,
			CAUCUS_OIDC_CLIENT_ID: 'caucus-e2e',
			CAUCUS_OIDC_CLIENT_SECRET: 'caucus-e2e-secret',
			CAUCUS_OIDC_NAME: 'Test ID'
		}),
		launchBrowser()
	]);
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
	await provider?.close();
});

async function signIn(page: Page, email: string, password: string) {
	await page.goto(`${server.url}/signin`);
	await page.getByLabel('E-mail').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
	await page
		.waitForURL((url) => url.pathname !== '/signin')
		.catch(async (error) => {
			await screenshot(page, `signin-failed-${email}`);
			throw error;
		});
}

describe('a newcomer arrives at an empty site', () => {
	it('is led to create the first administrator, and is signed in as one', async () => {
		const page = await browser.newPage();
		await page.goto(server.url);
		expect(new URL(page.url()).pathname).toBe('/setup');
		await expectAccessible(page);
		await screenshot(page, 'setup-empty-site');
		// Until the first administrator exists every other door leads here (issue 11, defect 3): a member
		// signing up first would leave the site with nobody able to make an administrator.
		for (const door of ['/signup', '/signin', '/needs', '/groups', '/admin']) {
			await page.goto(`${server.url}${door}`);
			expect(new URL(page.url()).pathname, door).toBe('/setup');
		}
		const early = await page.request.post(`${server.url}/api/v1/needs`, { data: { title: 'Filed before setup', kind: 'bug' } });
		expect(early.status()).toBe(403);
		expect((await early.json()).error.message).toContain('/setup');

		await page.getByLabel('Your name').fill('Ada Admin');
		await page.getByLabel('Handle').fill('ada');
		await page.getByLabel('E-mail').fill('ada@example.org');
		await page.getByLabel('Password').fill('short');
		await page.getByRole('button', { name: 'Create the administrator' }).click();
		await expect.poll(() => page.getByText('Use at least 10 characters.').isVisible()).toBe(true);
		expect(await page.getByLabel('Handle').inputValue()).toBe('ada');
		await screenshot(page, 'setup-field-error');

		await page.getByLabel('Password').fill('a long admin password');
		await page.getByRole('button', { name: 'Create the administrator' }).click();
		await page.waitForURL(/\/admin/);
		await expect.poll(() => page.getByRole('link', { name: /Ada Admin/ }).isVisible()).toBe(true);
		await expectAccessible(page);
		// A new site says what it still lacks, each step a link to where it is done (issue 11).
		const steps = page.getByRole('region', { name: 'Getting the site ready' });
		expect(await steps.getByRole('link').allTextContents()).toEqual(['Create a group', 'Add a release cycle', 'List the components', 'Connect a tracker']);
		await screenshot(page, 'admin-overview');
		await page.close();
	});

	it('the administrator creates an open SIG and a closed one', async () => {
		const page = await browser.newPage();
		await signIn(page, 'ada@example.org', 'a long admin password');
		for (const group of [
			{ name: 'Large Scale SIG', visibility: 'Open', summary: 'Operators of very large clouds.' },
			{ name: 'Security SIG', visibility: 'Closed', summary: 'Embargoed vulnerability work.' }
		]) {
			await page.goto(`${server.url}/groups/new`);
			await page.getByLabel('Name').fill(group.name);
			await page.getByLabel('Kind').selectOption('sig');
			await page.getByLabel(group.visibility, { exact: true }).check();
			await page.getByLabel('Summary').fill(group.summary);
			await page.getByLabel('Charter').fill('## Mission\n\nTurn what operators learn into **needs**.');
			await page.getByRole('button', { name: /create/i }).click();
			await page.waitForURL(/\/groups\/[a-z-]+$/).catch(async (error) => {
				await screenshot(page, `group-create-failed-${group.visibility}`);
				throw error;
			});
			await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(group.name);
		}
		await page.goto(`${server.url}/groups`);
		await expectAccessible(page);
		await screenshot(page, 'groups-list');
		await page.close();
	});

	it('a visitor signs up, signs out and signs back in', async () => {
		const page = await browser.newPage();
		await page.goto(`${server.url}/signup`);
		await expectAccessible(page);
		await page.getByLabel('Your name').fill('Olga Operator');
		await page.getByLabel('Handle').fill('olga');
		await page.getByLabel('E-mail').fill('olga@example.org');
		await page.getByLabel('Password').fill('olga password 1');
		await page.getByRole('button', { name: 'Sign up' }).click();
		await page.waitForURL(/\/settings\/profile/);
		await page.getByRole('button', { name: 'Sign out' }).click();
		await page.waitForURL(`${server.url}/`);

		await page.goto(`${server.url}/signin`);
		await expectAccessible(page);
		await page.getByLabel('E-mail').fill('olga@example.org');
		await page.getByLabel('Password').fill('wrong password');
		await page.getByRole('button', { name: 'Sign in', exact: true }).click();
		await expect.poll(() => page.getByRole('alert').textContent()).toContain('do not match');
		await screenshot(page, 'signin-wrong-password');
		await page.getByLabel('Password').fill('olga password 1');
		await page.getByRole('button', { name: 'Sign in', exact: true }).click();
		await expect.poll(() => page.getByRole('link', { name: /Olga Operator/ }).isVisible()).toBe(true);
		await page.close();
	});
});

describe('a member signs in through their organization’s OpenID provider', () => {
	let page: Page;
	beforeAll(async () => {
		page = await (await browser.newContext()).newPage();
	});

	it('signs in with OpenID Connect and gets an account', async () => {
		await page.goto(`${server.url}/signin`);
		await page.getByRole('link', { name: 'Sign in with Test ID' }).click();
		await page.waitForURL((url) => url.origin === provider.issuer);
		await page.locator('input[name="login"]').fill('oidc-olena');
		await page.locator('input[name="password"]').fill('anything');
		await page.locator('button[type="submit"]').click();
		await page.waitForURL((url) => url.origin === server.url);
		await expect.poll(() => page.getByRole('link', { name: /Olena Kovalenko/ }).isVisible()).toBe(true);
	});

	it('edits the profile and adds a deployment', async () => {
		await page.goto(`${server.url}/settings/profile`);
		await expectAccessible(page);
		await page.getByLabel('Operator').check();
		await page.getByLabel('Organization').fill('Nordic Research Cloud');
		await page.getByRole('button', { name: 'Save profile' }).click();
		await expect.poll(() => page.getByRole('status').textContent()).toBeTruthy();

		await page.goto(`${server.url}/settings/deployments`);
		await page.getByLabel('Name').fill('Production, Oslo');
		// The browser lets this through; the server must answer it next to the field, keeping the input.
		await page.getByLabel('Nodes').fill('20000000');
		await page.getByRole('button', { name: 'Add deployment' }).click();
		await expect.poll(() => page.getByText('Nodes is at most 10,000,000.').isVisible()).toBe(true);
		expect(await page.getByLabel('Name').inputValue()).toBe('Production, Oslo');
		await page.getByLabel('Nodes').fill('420');
		await page.getByLabel('Instances').fill('9800');
		await page.getByLabel('Releases in use').fill('2025.1, 2025.2');
		await page.getByLabel('Components').fill('nova, neutron, octavia');
		await page.getByLabel('Region').fill('eu-north');
		await page.getByRole('button', { name: 'Add deployment' }).click();
		await expect.poll(() => page.getByRole('cell', { name: 'Production, Oslo' }).or(page.getByText('Production, Oslo')).first().isVisible()).toBe(true);
		await expectAccessible(page);
		await screenshot(page, 'settings-deployments');

		await page.goto(`${server.url}/members/olena`);
		await expect.poll(() => page.getByText('Nordic Research Cloud').first().isVisible()).toBe(true);
		await expect.poll(() => page.getByText('Production, Oslo').isVisible()).toBe(true);
		await expectAccessible(page);
		await screenshot(page, 'member-profile');
	});

	it('joins the open group and asks to join the closed one', async () => {
		await page.goto(`${server.url}/groups/large-scale-sig`);
		await page.getByRole('button', { name: 'Join this group' }).click();
		await expect.poll(() => page.getByRole('button', { name: 'Leave group' }).isVisible()).toBe(true);
		await expectAccessible(page);
		await screenshot(page, 'group-open-joined');

		await page.goto(`${server.url}/groups/security-sig`);
		await page.getByLabel('Message to the chairs (optional)').fill('I run the hardening programme at our cloud.');
		await page.getByRole('button', { name: 'Ask to join' }).click();
		await expect.poll(() => page.getByRole('button', { name: 'Withdraw request' }).isVisible()).toBe(true);
		await expectAccessible(page);
		await screenshot(page, 'group-closed-requested');
	});

	it('the chair sees the request and approves it', async () => {
		const chair = await (await browser.newContext()).newPage();
		await signIn(chair, 'ada@example.org', 'a long admin password');
		await chair.goto(`${server.url}/groups/security-sig`);
		await chair.getByRole('button', { name: /Approve/ }).click();
		await expect.poll(() => chair.getByRole('button', { name: /Approve/ }).count()).toBe(0);
		await screenshot(chair, 'group-closed-approved');
		await page.reload();
		await expect.poll(() => page.getByRole('button', { name: 'Leave group' }).isVisible()).toBe(true);
	});
});
