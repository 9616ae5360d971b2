import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, screenshot, seriousA11yViolations, startServer, type RunningServer } from './support.ts';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
	[server, browser] = await Promise.all([startServer(), launchBrowser()]);
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
});

async function expectAccessible(page: Page) {
	const violations = await seriousA11yViolations(page);
	expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
}

describe('a newcomer arrives at an empty site', () => {
	it('is led to create the first administrator, and is signed in as one', async () => {
		const page = await browser.newPage();
		await page.goto(server.url);
		expect(new URL(page.url()).pathname).toBe('/setup');
		await expectAccessible(page);
		await screenshot(page, 'setup-empty-site');

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
