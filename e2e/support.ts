import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, findChromium } from './chromium.ts';
import { FACTORY_PASSWORD } from '../src/lib/server/modules/members/members.factories.ts';
import { startServer as startServerProcess } from '../src/lib/server/testing/server-process.ts';
export type { RunningServer } from '../src/lib/server/testing/server-process.ts';

/**
 * The built server, allowed to call trackers on loopback addresses (the journeys' fake trackers listen on
 * 127.0.0.1), and taking more sign-ups from one address than a site would: every journey's members sign up
 * from 127.0.0.1. A journey about the limits sets them itself.
 */
export const startServer: typeof startServerProcess = (env = {}, options) =>
	startServerProcess({ CAUCUS_ALLOW_PRIVATE_TRACKERS: '1', CAUCUS_SIGNUP_MAX_PER_ADDRESS: '100', ...env }, options);

const ROOT = new URL('..', import.meta.url).pathname;
export const SCREENSHOTS = join(ROOT, 'test-results', 'screenshots');

export async function launchBrowser(): Promise<Browser> {
	const executablePath = findChromium();
	if (!executablePath) throw new Error('No Chromium found; install it with apt-get install chromium.');
	return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}

export async function screenshot(page: Page, name: string): Promise<void> {
	mkdirSync(SCREENSHOTS, { recursive: true });
	await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

const axeSource = readFileSync(join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

export interface AxeViolation {
	id: string;
	impact: string | null;
	help: string;
	nodes: { target: string[] }[];
}

/** Runs axe-core in the page and returns the serious and critical violations. */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
	// Evaluated through the debugging protocol, not as a script tag, which the pages' Content-Security-Policy refuses.
	await page.evaluate(axeSource);
	const violations = await page.evaluate(async () => {
		const result = await (window as unknown as { axe: { run: (ctx: Document) => Promise<{ violations: AxeViolation[] }> } }).axe.run(document);
		return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
	});
	return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Fails the test with axe-core's report when the page has a serious or critical violation. */
export async function expectAccessible(page: Page): Promise<void> {
	const violations = await seriousA11yViolations(page);
	expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
}

/**
 * The site's own scripts never load in this context, so every page stays as the server rendered it, as
 * without JavaScript; unlike a context with JavaScript disabled, the tests' own scripts (axe-core, which
 * waits on timers) still run.
 */
export async function withoutSiteScripts(context: BrowserContext): Promise<void> {
	await context.route(/\/_app\/.*\.js(\?.*)?$/, (route) => route.abort());
}

/** A page in a browser context of its own (its own cookies, and `options`, e.g. JavaScript disabled), signed in with the e-mail form. */
export async function signedInPage(
	browser: Browser,
	baseUrl: string,
	email: string,
	password = FACTORY_PASSWORD,
	options: BrowserContextOptions = {}
): Promise<Page> {
	const page = await (await browser.newContext(options)).newPage();
	await page.goto(`${baseUrl}/signin`);
	await page.getByLabel('E-mail').fill(email);
	await page.getByLabel('Password').fill(password);
	await page.getByRole('button', { name: 'Sign in', exact: true }).click();
	await page.waitForURL((url) => url.pathname !== '/signin');
	return page;
}
