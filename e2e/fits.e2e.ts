import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { sql } from 'kysely';
import { expectAccessible, launchBrowser, screenshot, signedInPage, startServer, type RunningServer } from './support.ts';
import { openDatabase } from '../src/lib/server/platform/db/database.ts';
import { DEMO_ADMIN, DEMO_PASSWORD } from '../src/lib/server/modules/members/members.seed.ts';

/*
 * Every page fits the screen it is read on. With the demo community seeded (`caucus seed --demo`), a
 * visitor, a member, a group's chair and the administrator open every page on disk at 320, 390, 768
 * and 1280 px: the document is never wider than the window; a box that scrolls sideways on a smaller
 * screen says so with its shadows and takes the keyboard, and at the desktop width nothing scrolls
 * sideways at all (no table cut at its last column). On a phone the header is one short bar whose menu
 * opens without JavaScript, and a need's tags are a list, not one run-together word.
 */

const ROOT = new URL('..', import.meta.url).pathname;
const ROUTES = join(ROOT, 'src', 'routes');
/** Two phones, a tablet held upright and a desktop. */
const WIDTHS = [320, 390, 768, 1280] as const;

type Role = 'visitor' | 'member' | 'chair' | 'admin' | 'newcomer';
interface Visit {
	as: Role;
	path: string;
}

let server: RunningServer;
let empty: RunningServer;
let browser: Browser;
let dataDir: string;
const pages = new Map<Role, Page>();
const ids = { need: 0, merged: 0, group: '', list: 0, round: 0, tracker: 0, issue: '', deployment: 0, handle: '', reset: '', chairEmail: '', memberEmail: '' };

/** Every page on disk, as its route (`/needs/[id=id]`), without the (group) folders. */
function routesOnDisk(): string[] {
	const found: string[] = [];
	const walk = (dir: string) => {
		for (const entry of readdirSync(dir)) {
			const path = join(dir, entry);
			if (statSync(path).isDirectory()) walk(path);
			else if (entry === '+page.svelte')
				found.push(
					`/${relative(ROUTES, dir)
						.split('/')
						.filter((s) => s && !/^\(.*\)$/.test(s))
						.join('/')}`
				);
		}
	};
	walk(ROUTES);
	return found.sort();
}

/** Who opens each page, at which address: the people who see most of it. */
function visits(): Record<string, Visit[]> {
	const { need, merged, group, list, round, tracker, issue, deployment, handle, reset } = ids;
	return {
		'/': [
			{ as: 'visitor', path: '/' },
			{ as: 'member', path: '/' }
		],
		'/accountability': [{ as: 'visitor', path: '/accountability' }],
		'/accountability/needs': [
			{ as: 'visitor', path: '/accountability/needs?metric=in_scope' },
			{ as: 'visitor', path: '/accountability/needs?metric=stalled' }
		],
		'/champions': [{ as: 'member', path: '/champions' }],
		'/groups': [{ as: 'visitor', path: '/groups' }],
		'/groups/[slug]': [
			{ as: 'visitor', path: `/groups/${group}` },
			{ as: 'chair', path: `/groups/${group}` }
		],
		'/groups/[slug]/edit': [{ as: 'chair', path: `/groups/${group}/edit` }],
		'/groups/[slug]/priorities': [{ as: 'chair', path: `/groups/${group}/priorities` }],
		'/groups/new': [{ as: 'admin', path: '/groups/new' }],
		'/members': [{ as: 'visitor', path: '/members' }],
		'/members/[handle]': [{ as: 'visitor', path: `/members/${handle}` }],
		'/needs': [
			{ as: 'visitor', path: '/needs' },
			{ as: 'member', path: '/needs' }
		],
		'/needs/[id=id]': [
			{ as: 'visitor', path: `/needs/${need}` },
			{ as: 'chair', path: `/needs/${need}` }
		],
		'/needs/[id=id]/edit': [{ as: 'chair', path: `/needs/${need}/edit` }],
		'/needs/[id=id]/handoff': [
			{ as: 'chair', path: `/needs/${need}/handoff` },
			{ as: 'chair', path: `/needs/${need}/handoff?tracker=${tracker}&kind=feature` }
		],
		'/needs/[id=id]/triage': [
			{ as: 'chair', path: `/needs/${need}/triage` },
			{ as: 'admin', path: `/needs/${merged}/triage` }
		],
		'/needs/new': [{ as: 'member', path: '/needs/new' }],
		'/priorities': [{ as: 'visitor', path: '/priorities' }],
		'/priorities/[id]': [{ as: 'visitor', path: `/priorities/${list}` }],
		'/priorities/rounds/[id=id]': [{ as: 'member', path: `/priorities/rounds/${round}` }],
		'/reset/[token]': [{ as: 'visitor', path: `/reset/${reset}` }],
		'/sandbox/[tracker=id]': [{ as: 'visitor', path: `/sandbox/${tracker}` }],
		'/sandbox/[tracker=id]/issues/[number=id]': [
			{ as: 'visitor', path: issue },
			{ as: 'chair', path: issue }
		],
		'/setup': [{ as: 'newcomer', path: '/setup' }],
		'/signin': [{ as: 'visitor', path: '/signin' }],
		'/signup': [{ as: 'visitor', path: '/signup' }],
		'/settings/deployments': [{ as: 'member', path: '/settings/deployments' }],
		'/settings/deployments/[id=id]': [{ as: 'member', path: `/settings/deployments/${deployment}` }],
		'/settings/profile': [{ as: 'member', path: '/settings/profile' }],
		'/settings/security': [{ as: 'member', path: '/settings/security' }],
		'/settings/tokens': [{ as: 'member', path: '/settings/tokens' }],
		'/notifications': [{ as: 'member', path: '/notifications' }],
		'/admin': [{ as: 'admin', path: '/admin' }],
		'/admin/activity': [{ as: 'admin', path: '/admin/activity' }],
		'/admin/components': [{ as: 'admin', path: '/admin/components' }],
		'/admin/cycles': [{ as: 'admin', path: '/admin/cycles' }],
		'/admin/members': [{ as: 'admin', path: '/admin/members' }],
		'/admin/trackers': [{ as: 'admin', path: '/admin/trackers' }],
		'/admin/trackers/[id=id]': [{ as: 'admin', path: `/admin/trackers/${tracker}` }],
		'/admin/trackers/new': [{ as: 'admin', path: '/admin/trackers/new?provider=jira' }]
	};
}

function caucus(args: string[], env: Record<string, string>): string {
	const result = spawnSync(process.execPath, [join(ROOT, 'bin', 'caucus.js'), ...args], { cwd: ROOT, env: { ...process.env, ...env }, encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`caucus ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
	return result.stdout;
}

/** The people and things the visits need, read from the seeded database while the server is not yet running. */
async function findIds() {
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const db = opened.db;
		const listed = await db
			.selectFrom('priority_list')
			.innerJoin('group', 'group.id', 'priority_list.group_id')
			.select(['priority_list.id', 'priority_list.group_id', 'group.slug'])
			.orderBy('priority_list.id')
			.executeTakeFirstOrThrow();
		ids.list = Number(listed.id);
		ids.group = listed.slug;
		const chair = await db
			.selectFrom('group_membership')
			.innerJoin('member', 'member.id', 'group_membership.member_id')
			.select('member.email')
			.where('group_membership.group_id', '=', listed.group_id)
			.where('group_membership.role', '=', 'chair')
			.executeTakeFirstOrThrow();
		ids.chairEmail = chair.email;
		// A need of the chair's group that was handed upstream: its page has the most to show (tags, handoffs, champions).
		const need = await db
			.selectFrom('need')
			.innerJoin('handoff', 'handoff.need_id', 'need.id')
			.select('need.id')
			.where('need.group_id', '=', listed.group_id)
			.where(sql<boolean>`cardinality(need.tags) > 0`)
			.orderBy('need.id')
			.executeTakeFirstOrThrow();
		ids.need = Number(need.id);
		// Two tags, which a screen reader must read as two words.
		await db
			.updateTable('need')
			.set({ tags: ['numa', 'migration'] })
			.where('id', '=', need.id)
			.execute();
		// A need others were merged into: its moderators' page lists the merges.
		ids.merged = Number((await db.selectFrom('need_merge').select('target_id').orderBy('id').executeTakeFirstOrThrow()).target_id);
		const round = await db.selectFrom('priority_round').select(['id', 'group_id']).where('state', '=', 'open').orderBy('id').executeTakeFirstOrThrow();
		ids.round = Number(round.id);
		// A plain member of the group ranking now, who runs a deployment: no chair, moderator or administrator anywhere.
		const member = await db
			.selectFrom('member')
			.innerJoin('group_membership', 'group_membership.member_id', 'member.id')
			.innerJoin('deployment', 'deployment.member_id', 'member.id')
			.select(['member.email', 'member.handle', 'deployment.id as deployment'])
			.where('group_membership.group_id', '=', round.group_id)
			.where('group_membership.role', '=', 'member')
			.where('member.is_admin', '=', false)
			.where((eb) =>
				eb.not(
					eb.exists(
						eb
							.selectFrom('group_membership as other')
							.select('other.member_id')
							.whereRef('other.member_id', '=', 'member.id')
							.where('other.role', '!=', 'member')
					)
				)
			)
			.orderBy('member.id')
			.executeTakeFirstOrThrow();
		ids.memberEmail = member.email;
		ids.handle = member.handle;
		ids.deployment = Number(member.deployment);
		ids.tracker = Number((await db.selectFrom('tracker').select('id').orderBy('id').executeTakeFirstOrThrow()).id);
		// The need's item in the demo's sandbox tracker: its page shows what was handed up, with a table of deployments.
		ids.issue = (await db.selectFrom('handoff').select('upstream_url').where('need_id', '=', need.id).executeTakeFirstOrThrow()).upstream_url;
	} finally {
		await opened.close();
	}
}

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-fits-'));
	caucus(['seed', '--demo'], { CAUCUS_DATA: dataDir });
	await findIds();
	const link = caucus(['admin', 'reset-link', ids.handle], { CAUCUS_DATA: dataDir, ORIGIN: 'http://caucus.test' });
	ids.reset = link.match(/\/reset\/([\w-]+)/)?.[1] ?? '';
	expect(ids.reset).not.toBe('');
	[server, empty, browser] = await Promise.all([startServer({}, { dataDir }), startServer(), launchBrowser()]);
	pages.set('visitor', await (await browser.newContext()).newPage());
	pages.set('newcomer', await (await browser.newContext()).newPage());
	pages.set('member', await signedInPage(browser, server.url, ids.memberEmail, DEMO_PASSWORD));
	pages.set('chair', await signedInPage(browser, server.url, ids.chairEmail, DEMO_PASSWORD));
	pages.set('admin', await signedInPage(browser, server.url, DEMO_ADMIN.email, DEMO_PASSWORD));
});
afterAll(async () => {
	await browser?.close();
	await Promise.all([server?.stop(), empty?.stop()]);
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/**
 * How the page overflows at the window's current width: the document wider than the window, or (at
 * desktop width) a box that scrolls sideways, so part of a table is cut off until one scrolls it.
 */
async function overflowOf(page: Page, desktop: boolean): Promise<string[]> {
	return page.evaluate((desktop) => {
		const problems: string[] = [];
		const { scrollWidth } = document.documentElement;
		if (scrollWidth > innerWidth) {
			const wide = [...document.body.querySelectorAll<HTMLElement>('*')]
				.filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > innerWidth + 1)
				.filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= innerWidth + 1)
				.slice(0, 3)
				.map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''}`);
			problems.push(`the page is ${scrollWidth} px wide in a ${innerWidth} px window (widest: ${wide.join(', ')})`);
		}
		for (const el of document.body.querySelectorAll<HTMLElement>('*')) {
			const overflow = getComputedStyle(el).overflowX;
			if ((overflow !== 'auto' && overflow !== 'scroll') || el.scrollWidth <= el.clientWidth + 1) continue;
			const what = `a ${el.tagName.toLowerCase()}${el.className ? `.${String(el.className).split(' ')[0]}` : ''} scrolls sideways`;
			if (desktop) problems.push(`${what} (${el.clientWidth} of ${el.scrollWidth} px shown)`);
			// On smaller screens a box may scroll, if it shows that it does and the keyboard can scroll it.
			else if (!el.classList.contains('scroll-x') || el.tabIndex < 0) problems.push(`${what} without the .scroll-x shadows or a tabindex`);
		}
		return problems;
	}, desktop);
}

describe('every page fits its window', () => {
	it('knows who opens every page on disk', () => {
		expect(Object.keys(visits()).sort()).toEqual(routesOnDisk());
	});

	it.each(routesOnDisk())('%s fits at 320, 390, 768 and 1280 px', async (route) => {
		const problems: string[] = [];
		for (const visit of visits()[route] ?? []) {
			const page = pages.get(visit.as)!;
			const base = visit.as === 'newcomer' ? empty.url : server.url;
			await page.setViewportSize({ width: WIDTHS[0], height: 844 });
			const response = await page.goto(`${base}${visit.path}`);
			expect(response?.status(), `${visit.path} as ${visit.as}`).toBeLessThan(400);
			expect(new URL(page.url()).pathname, `${visit.path} as ${visit.as} stays on the page`).toBe(visit.path.split('?')[0]);
			for (const width of WIDTHS) {
				await page.setViewportSize({ width, height: 844 });
				for (const problem of await overflowOf(page, width >= 1280)) problems.push(`${visit.path} as ${visit.as} at ${width} px: ${problem}`);
			}
		}
		expect(problems).toEqual([]);
	});

	it('the error page fits too', async () => {
		const page = pages.get('visitor')!;
		await page.setViewportSize({ width: 320, height: 844 });
		expect((await page.goto(`${server.url}/needs/987654321`))?.status()).toBe(404);
		for (const width of WIDTHS) {
			await page.setViewportSize({ width, height: 844 });
			expect(await overflowOf(page, width >= 1280), `${width} px`).toEqual([]);
		}
	});
});

describe('the narrow layouts read well', () => {
	it('cards, scrolling boxes and the menu pass axe-core at 390 px, and look right at 390 and 1280 px', async () => {
		const shots: [Role, string, string][] = [
			['visitor', 'needs', '/needs'],
			['visitor', 'need', `/needs/${ids.need}`],
			['visitor', 'priorities', '/priorities'],
			['visitor', 'published-list', `/priorities/${ids.list}`],
			['member', 'ballot', `/priorities/rounds/${ids.round}`],
			['admin', 'admin-trackers', '/admin/trackers'],
			['admin', 'admin-cycles', '/admin/cycles'],
			['visitor', 'accountability', '/accountability']
		];
		for (const [role, name, path] of shots) {
			const page = pages.get(role)!;
			for (const width of [390, 1280]) {
				await page.setViewportSize({ width, height: 844 });
				await page.goto(`${server.url}${path}`);
				await screenshot(page, `fits-${name}-${width}`);
				if (width === 390) await expectAccessible(page);
			}
		}
	});

	it('a need’s tags are a list of separate links, on the board and on its page', async () => {
		const page = pages.get('visitor')!;
		await page.setViewportSize({ width: 390, height: 844 });
		await page.goto(`${server.url}/needs?tag=numa`);
		const tags = page.getByRole('list', { name: 'Tags' }).first();
		expect(await tags.getByRole('listitem').count()).toBe(2);
		expect(await tags.getByRole('link').allTextContents()).toEqual(['numa', 'migration']);
		await page.goto(`${server.url}/needs/${ids.need}`);
		const onPage = page.locator('dt:text-is("Tags") + dd').getByRole('listitem');
		expect(await onPage.allInnerTexts()).toEqual(['numa', 'migration']);
		// Apart on the screen too: the second chip starts after a gap.
		const [first, second] = await Promise.all([onPage.nth(0).boundingBox(), onPage.nth(1).boundingBox()]);
		expect(second!.x - (first!.x + first!.width)).toBeGreaterThanOrEqual(4);
	});
});

describe('on a phone', () => {
	it('the header is one short bar, and its menu opens and leads to the pages', async () => {
		for (const role of ['visitor', 'member', 'admin'] as const) {
			const page = pages.get(role)!;
			await page.setViewportSize({ width: 390, height: 844 });
			await page.goto(`${server.url}/needs`);
			const header = await page.locator('body > header, header').first().boundingBox();
			expect(header!.height, `${role}: header height`).toBeLessThanOrEqual(70);
			const nav = page.getByRole('navigation', { name: 'Main' });
			await expect.poll(() => nav.getByRole('link', { name: 'Priorities' }).isVisible()).toBe(false);
			await page.getByText('Menu', { exact: true }).click();
			await expect.poll(() => nav.getByRole('link', { name: 'Priorities' }).isVisible()).toBe(true);
			if (role === 'visitor') {
				await screenshot(page, 'fits-phone-menu-open');
				await expectAccessible(page);
			}
			await nav.getByRole('link', { name: 'Priorities' }).click();
			await page.waitForURL(/\/priorities$/);
			expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Priorities');
		}
	});

	it('the menu works without JavaScript, from the keyboard', async () => {
		const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 844 } });
		const page = await context.newPage();
		await page.goto(`${server.url}/needs`);
		const nav = page.getByRole('navigation', { name: 'Main' });
		expect(await nav.getByRole('link', { name: 'Groups' }).isVisible()).toBe(false);
		// Skip link, brand, then the menu's toggle.
		await page.keyboard.press('Tab');
		await page.keyboard.press('Tab');
		await page.keyboard.press('Tab');
		expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe('Menu');
		await page.keyboard.press('Enter');
		expect(await nav.getByRole('link', { name: 'Groups' }).isVisible()).toBe(true);
		await nav.getByRole('link', { name: 'Groups' }).click();
		await page.waitForURL(/\/groups$/);
		await context.close();
	});

	it('at desktop width the navigation shows without a menu', async () => {
		const page = pages.get('visitor')!;
		await page.setViewportSize({ width: 1280, height: 800 });
		await page.goto(`${server.url}/needs`);
		const nav = page.getByRole('navigation', { name: 'Main' });
		expect(await nav.getByRole('link', { name: 'Priorities' }).isVisible()).toBe(true);
		expect(await page.getByText('Menu', { exact: true }).isVisible()).toBe(false);
	});
});
