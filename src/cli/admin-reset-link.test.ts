import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '#lib/server/platform/db/database.ts';
import { migrate } from '#lib/server/modules.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { resetLinkState } from '#lib/server/modules/members/members.reset.ts';

/* `caucus admin reset-link`, run as a user runs it: a separate process on an embedded database folder. */

const ROOT = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);
let dataDir: string;

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-cli-reset-'));
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		await migrate(opened.db);
		await buildMember(opened.db, { handle: 'locked-out' });
	} finally {
		await opened.close();
	}
});
afterAll(() => {
	if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const caucus = (...args: string[]) =>
	run(process.execPath, [join(ROOT, 'bin', 'caucus.js'), ...args], {
		cwd: ROOT,
		env: { ...process.env, CAUCUS_DATA: dataDir, DATABASE_URL: '', CAUCUS_LOG_LEVEL: 'warn', ORIGIN: 'https://caucus.example.org' }
	});

describe('caucus admin reset-link', () => {
	it('prints a one-time reset link on the site’s origin that works for the member', async () => {
		const { stdout, stderr } = await caucus('admin', 'reset-link', '@locked-out');
		expect(stderr).toMatch(/one-time password reset link for @locked-out/);
		const link = stdout.trim();
		expect(link).toMatch(/^https:\/\/caucus\.example\.org\/reset\/rst_[A-Za-z0-9_-]{43}$/);
		const opened = await openDatabase({ kind: 'pglite', dataDir });
		try {
			expect(await resetLinkState(opened.db, link.split('/reset/')[1], new Date())).toMatchObject({ state: 'valid', handle: 'locked-out' });
		} finally {
			await opened.close();
		}
	});

	it('says so when no member has the handle', async () => {
		const failed = await caucus('admin', 'reset-link', 'nobody').catch((e) => e);
		expect(failed.code).toBe(1);
		expect(failed.stderr).toMatch(/That member was not found/);
	});
});
