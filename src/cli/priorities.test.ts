import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '#lib/server/platform/db/database.ts';
import { migrate } from '#lib/server/modules.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { createCycle } from '#lib/server/modules/cycles/index.ts';
import { castBallot, closeRound, openRound, publishList } from '#lib/server/modules/priorities/index.ts';
import { startServer } from '#lib/server/testing/server-process.ts';
import { build, buildIsStale } from './build.ts';

/*
 * `caucus priorities export`, run as a user runs it: a separate process on an embedded database folder
 * holding one published list. Whatever database the suite runs on, the command line is tested on its own.
 */

const ROOT = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);
let dataDir: string;

beforeAll(async () => {
	dataDir = mkdtempSync(join(tmpdir(), 'caucus-cli-priorities-'));
	const opened = await openDatabase({ kind: 'pglite', dataDir });
	try {
		const db = opened.db;
		await migrate(db);
		const admin = await buildMember(db, { isAdmin: true });
		const chair = await buildMember(db, { handle: 'cli-chair' });
		const voter = await buildMember(db, { handle: 'cli-voter' });
		const group = await buildGroup(db, { slug: 'cli-ops', name: 'CLI Ops', chair });
		await addMembership(db, group, voter);
		const a = await buildNeed(db, { group, title: 'Quorum queues by default', status: 'accepted' });
		const b = await buildNeed(db, { group, title: 'Faster cold migration', status: 'accepted' });
		const as = (m: typeof admin) => ctxFor(db, m);
		await createCycle(as(admin), { slug: '2027.1', startsOn: '2027-01-01', endsOn: '2027-06-30' });
		const round = await openRound(as(chair), group.slug, { cycle: '2027.1', title: 'CLI Ops priorities 2027.1', candidates: [a.id, b.id] });
		await castBallot(as(voter), round.id, { ranking: [[b.id], [a.id]] });
		await closeRound(as(chair), round.id);
		await publishList(as(chair), round.id);
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
		env: { ...process.env, CAUCUS_DATA: dataDir, DATABASE_URL: '', CAUCUS_LOG_LEVEL: 'warn' }
	});

describe('caucus priorities export', () => {
	it('prints a published list as Markdown, found by its series', async () => {
		const { stdout } = await caucus('priorities', 'export', 'cli-ops-2027.1', '--format', 'md');
		expect(stdout).toContain('# CLI Ops priorities 2027.1, v1');
		// Absolute links, as the web export writes them (issue 11): the file is read away from the site.
		expect(stdout).toMatch(/\| 1 \| \[#\d+\]\(http:\/\/127\.0\.0\.1:3000\/needs\/\d+\) Faster cold migration \|/);
		expect(stdout).not.toContain('cli-voter');
	});

	it('writes JSON to a file, found by its slug', async () => {
		const output = join(dataDir, 'list.json');
		await caucus('priorities', 'export', 'cli-ops-2027.1-v1', '--format', 'json', '--output', output);
		const file = JSON.parse(readFileSync(output, 'utf8'));
		expect(file).toMatchObject({ format: 'caucus.priority-list/1', slug: 'cli-ops-2027.1-v1', turnout: { ballots: 1, eligible: 2 } });
		expect(file.entries.map((e: { title: string }) => e.title)).toEqual(['Faster cold migration', 'Quorum queues by default']);
	});

	it('says what is wrong with an unknown list or format, and fails', async () => {
		await expect(caucus('priorities', 'export', 'no-such-list')).rejects.toMatchObject({
			code: 1,
			stderr: expect.stringContaining('priority list was not found')
		});
		await expect(caucus('priorities', 'export', '1', '--format', 'pdf')).rejects.toMatchObject({
			code: 1,
			stderr: expect.stringContaining('--format: Give md or json.')
		});
	});
});

describe('caucus priorities export while the server runs on the embedded database', () => {
	it('reads through the running server instead of failing on the locked database', async () => {
		if (buildIsStale()) build();
		const server = await startServer({ DATABASE_URL: '' }, { dataDir });
		try {
			const { stdout, stderr } = await caucus('priorities', 'export', 'cli-ops-2027.1', '--format', 'md');
			expect(stderr).toContain(`Reading through the server running at ${server.url}`);
			expect(stdout).toContain('# CLI Ops priorities 2027.1, v1');
			expect(stdout).toMatch(new RegExp(`\\| 1 \\| \\[#\\d+\\]\\(${server.url.replace(/[.:/]/g, '\\$&')}\\/needs\\/\\d+\\) Faster cold migration \\|`));
			await expect(caucus('priorities', 'export', 'no-such-list')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('not found') });
		} finally {
			await server.stop();
		}
	}, 180_000);
});
