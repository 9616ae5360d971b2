import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useSiteKey } from '#lib/server/platform/auth/encryption.ts';
import { allowPrivateAddresses } from '#lib/server/platform/http/outgoing.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import { refreshGithubChanges } from '#lib/server/modules/champions/champions.refresh.ts';
import { createHandoff, createTracker, linkHandoff, listHandoffsOfNeed, syncNeed, updateTracker, type CreateHandoffInput, type TrackerInput } from './index.ts';
import { buildHandoff, buildTracker } from './handoff.factories.ts';

/*
 * Issue 9, finding 7: a GitHub tracker whose base URL was http://127.0.0.1:<port> made the server send its bearer
 * token there and show the internal service's reply in a chair's error. Here a local "internal service" records
 * what reaches it and answers with a secret: nothing may reach it unless CAUCUS_ALLOW_PRIVATE_TRACKERS allows it,
 * and what it answers never reaches a member, whether refused (4xx) or failing (5xx).
 */

const SECRET_BODY = 'INTERNAL-ONLY db_password=hunter2';
const TOKEN = 'ghp_must_not_leak_0123456789';

let t: TestDatabase;
let internal: Server;
let internalUrl: string;
const received: { url: string; headers: IncomingHttpHeaders }[] = [];
let answer = { status: 502, body: SECRET_BODY };
let admin: MemberRow, chair: MemberRow;
let group: GroupRow;
const clock = new TestClock();

beforeAll(async () => {
	useSiteKey(randomBytes(32));
	t = await createTestDatabase();
	internal = createServer((req, res) => {
		received.push({ url: req.url ?? '', headers: req.headers });
		res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify({ message: answer.body, documentation_url: answer.body }));
	});
	await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
	internalUrl = `http://127.0.0.1:${(internal.address() as AddressInfo).port}`;
	admin = await buildMember(t.db, { isAdmin: true });
	chair = await buildMember(t.db);
	group = await buildGroup(t.db, { chair, visibility: 'open', name: 'Ops SIG' });
});
afterAll(async () => {
	useSiteKey(null);
	await new Promise((resolve) => internal?.close(resolve));
	await t?.close();
});
afterEach(() => {
	allowPrivateAddresses(null);
	received.length = 0;
	answer = { status: 502, body: SECRET_BODY };
});

const as = (who: MemberRow) => {
	clock.advance(1000);
	return ctxFor(t.db, who, clock);
};
const failure = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(error: unknown) => error as { code: string; fields: Record<string, string>; message: string }
	);
const acceptedNeed = () => buildNeed(t.db, { status: 'accepted', group: { id: group.id, visibility: 'open' }, title: `Need ${Math.random()}` });
const draft = (trackerId: number): CreateHandoffInput => ({
	trackerId,
	kind: 'feature',
	title: 'Quota per availability zone',
	body: 'Operators need it.',
	fields: {}
});

describe('a tracker on an internal address, not allowed', () => {
	it('is refused when an administrator saves it, with a field error naming baseUrl', async () => {
		allowPrivateAddresses(false);
		const input: TrackerInput = { name: 'Internal', provider: 'github', baseUrl: internalUrl, project: 'openstack/nova', credentials: { token: TOKEN } };
		const refused = await failure(createTracker(as(admin), input));
		expect(refused?.code).toBe('invalid_input');
		expect(refused?.fields.baseUrl).toMatch(/internal addresses/);
		for (const baseUrl of ['http://169.254.169.254/latest', 'http://[::ffff:127.0.0.1]:3812', 'http://localhost:3812']) {
			expect((await failure(createTracker(as(admin), { ...input, baseUrl })))?.fields.baseUrl, baseUrl).toMatch(/internal addresses/);
		}
		const saved = await createTracker(as(admin), { ...input, baseUrl: 'https://api.github.com', name: 'Public' });
		expect((await failure(updateTracker(as(admin), saved.id, { ...input, name: 'Public' })))?.fields.baseUrl).toMatch(/internal addresses/);
		// A setting Caucus calls is checked like the base URL.
		const specsInput: TrackerInput = {
			name: 'Specs',
			provider: 'specs',
			baseUrl: 'https://opendev.org/openstack/nova-specs',
			project: 'nova-specs',
			settings: { review: 'gerrit', gerritUrl: 'http://10.0.0.5:8080' }
		};
		const gerrit = await failure(createTracker(as(admin), specsInput));
		expect(gerrit?.fields['settings.gerritUrl']).toMatch(/internal addresses/);
		expect(gerrit?.fields.baseUrl).toBeUndefined();
		// Allowed by the administrator's setting, it saves.
		allowPrivateAddresses(true);
		expect(await createTracker(as(admin), input)).toMatchObject({ baseUrl: internalUrl });
		expect(received).toHaveLength(0);
	});

	it('is never called: creating, linking and syncing fail without the token reaching it', async () => {
		allowPrivateAddresses(false);
		// Saved before the rule (or straight in the table): the request itself is refused.
		const tracker = await buildTracker(t.db, { name: 'Internal GitHub', baseUrl: internalUrl, project: 'openstack/nova', token: TOKEN });
		const need = await acceptedNeed();
		const created = await failure(createHandoff(as(chair), need.id, draft(Number(tracker.id))));
		expect(created?.code).toBe('invalid_input');
		expect(created?.message).toMatch(/address Caucus does not call/);
		const linked = await failure(
			linkHandoff(as(chair), need.id, { trackerId: Number(tracker.id), kind: 'feature', url: `${internalUrl}/openstack/nova/issues/7` })
		);
		expect(linked?.message).toMatch(/address Caucus does not call/);
		await buildHandoff(t.db, need, tracker, { key: '7' });
		await syncNeed(as(chair), need.id);
		const [handoff] = (await listHandoffsOfNeed(as(chair), need.id)).handoffs;
		expect(handoff.syncError).toMatch(/address Caucus does not call/);
		// The pull-request refresher goes through the same door.
		const now = clock.now();
		await t.db
			.insertInto('upstream_change')
			.values({
				need_id: need.id,
				forge: 'github',
				host: 'github.com',
				project: 'openstack/nova',
				number: 42,
				url: 'https://github.com/openstack/nova/pull/42',
				added_by: null,
				created_at: now,
				state_changed_at: now,
				state_changed_by: null,
				checked_at: null
			})
			.execute();
		await expect(refreshGithubChanges({ db: t.db, now: clock.now }, { apiBase: internalUrl })).rejects.toThrow(/address Caucus does not call/);
		expect(received).toHaveLength(0);
	});
});

describe('a tracker that answers with an error', () => {
	it('shows its status and a log reference, never what it answered', async () => {
		allowPrivateAddresses(true); // the local server stands in for a tracker on the site's own network
		const tracker = await buildTracker(t.db, { name: 'Flaky GitHub', baseUrl: internalUrl, project: 'openstack/nova', token: TOKEN });
		const need = await acceptedNeed();
		for (const status of [502, 422, 401, 404]) {
			answer = { status, body: SECRET_BODY };
			const refused = await failure(createHandoff(as(chair), need.id, draft(Number(tracker.id))));
			expect(refused?.message, String(status)).toMatch(new RegExp(`answered ${status}; the details are in the server log, reference [0-9a-f]{8}`));
			expect(JSON.stringify(refused)).not.toContain('hunter2');
			expect(JSON.stringify(refused)).not.toContain('INTERNAL-ONLY');
		}
		answer = { status: 503, body: SECRET_BODY };
		await buildHandoff(t.db, need, tracker, { key: '9' });
		await syncNeed(as(chair), need.id);
		const [handoff] = (await listHandoffsOfNeed(as(chair), need.id)).handoffs;
		expect(handoff.syncError).toMatch(/answered 503/);
		expect(handoff.syncError).not.toContain('hunter2');
		// The token went where the administrator allowed it.
		expect(received.at(-1)?.headers.authorization).toContain(TOKEN);
	});
});
