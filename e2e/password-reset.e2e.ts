import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { expectAccessible, launchBrowser, screenshot, startServer, type RunningServer } from './support.ts';

/**
 * A member who forgot their password, before Caucus sends mail: they are locked out after a few guesses, the
 * sign-in page tells them to ask an administrator, the administrator issues a one-time reset link on
 * Administration → Members and passes it on, and the member sets a new password with it (decision 0012).
 */
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
	[server, browser] = await Promise.all([startServer({ CAUCUS_SIGNIN_MAX_ATTEMPTS: '3' }), launchBrowser()]);
});
afterAll(async () => {
	await browser?.close();
	await server?.stop();
});

async function fillSignIn(page: Page, email: string, password: string) {
	await page.goto(`${server.url}/signin`);
	await page.getByLabel('E-mail').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

describe('a locked-out member gets back in with a reset link from an administrator', () => {
	it('locks out, is pointed to an administrator, gets a link, sets a new password and signs in', async () => {
		const admin = await (await browser.newContext()).newPage();
		await admin.goto(`${server.url}/setup`);
		await admin.getByLabel('Your name').fill('Ada Admin');
		await admin.getByLabel('Handle').fill('ada');
		await admin.getByLabel('E-mail').fill('ada@example.org');
		await admin.getByLabel('Password').fill('a long admin password');
		await admin.getByRole('button', { name: 'Create the administrator' }).click();
		await admin.waitForURL(/\/admin/);

		const mia = await (await browser.newContext()).newPage();
		await mia.goto(`${server.url}/signup`);
		await mia.getByLabel('Your name').fill('Mia Operator');
		await mia.getByLabel('Handle').fill('mia');
		await mia.getByLabel('E-mail').fill('mia@example.org');
		await mia.getByLabel('Password').fill('mia password 1');
		await mia.getByRole('button', { name: 'Sign up' }).click();
		await mia.waitForURL(/\/settings\/profile/);
		await mia.context().clearCookies();

		for (let i = 0; i < 3; i++) {
			await fillSignIn(mia, 'mia@example.org', `forgotten ${i}`);
			await expect.poll(() => mia.getByText('That e-mail and password do not match an account.').first().isVisible()).toBe(true);
		}
		await fillSignIn(mia, 'mia@example.org', 'mia password 1');
		await expect.poll(() => mia.getByRole('alert').textContent()).toMatch(/ask an administrator for a reset link/);
		await screenshot(mia, 'signin-locked-out');

		await admin.goto(`${server.url}/admin/members?q=mia`);
		await admin.getByRole('button', { name: 'Reset link for @mia' }).click();
		const field = admin.getByRole('textbox', { name: 'Reset link' });
		await expect.poll(() => field.isVisible()).toBe(true);
		const link = await field.inputValue();
		expect(link).toMatch(/\/reset\/rst_[A-Za-z0-9_-]{43}$/);
		await expectAccessible(admin);
		await screenshot(admin, 'admin-reset-link');

		await mia.goto(link);
		await expect.poll(() => mia.getByRole('heading', { name: 'Set a new password' }).isVisible()).toBe(true);
		await expectAccessible(mia);
		await mia.getByLabel('New password').fill('short');
		await mia.getByRole('button', { name: 'Set password' }).click();
		await expect.poll(() => mia.getByText('Use at least 10 characters.').isVisible()).toBe(true);
		await mia.getByLabel('New password').fill('mia new password');
		await mia.getByRole('button', { name: 'Set password' }).click();
		await expect.poll(() => mia.getByRole('status').textContent()).toMatch(/Your password is set/);
		await screenshot(mia, 'reset-done');

		// The link is spent.
		await mia.goto(link);
		await expect.poll(() => mia.getByRole('alert').textContent()).toMatch(/already been used/);

		await fillSignIn(mia, 'mia@example.org', 'mia new password');
		await mia.waitForURL((url) => url.pathname !== '/signin');
	});
});
