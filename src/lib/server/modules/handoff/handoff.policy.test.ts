import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSiteKey } from '#lib/server/platform/auth/encryption.ts';
import { allowPrivateAddresses } from '#lib/server/platform/http/outgoing.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import type { Actor, Ctx } from '#lib/server/platform/context.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { startFakeGitHub, type FakeGitHub } from '#lib/server/testing/trackers/github.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupMembershipRow, GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import type { NeedRow } from '#lib/server/modules/needs/index.ts';
import {
	createHandoff,
	createTracker,
	draftHandoff,
	getHandoffPage,
	getTrackerForAdmin,
	linkHandoff,
	listHandoffsOfNeed,
	listTrackerChoices,
	listTrackersForAdmin,
	mayAdministerTrackers,
	mayHandOff,
	mayListTrackers,
	setTrackerEnabled,
	syncNeed,
	updateTracker,
	type TrackerInput
} from './index.ts';
import { buildHandoff, buildTracker } from './handoff.factories.ts';
import type { TrackerRow } from './handoff.tables.ts';

/*
 * The handoff authorization matrix. Every action of handoff.policy.ts, by every kind of actor, asserted on
 * the pure policy and through the commands:
 * - trackers (create, update, enable/disable, the admin list and page) are for site administrators;
 * - the list of trackers to choose from is for administrators and leads (chair, moderator) of any group;
 * - drafting, creating, linking and syncing a need's handoffs, and the hand-upstream page, are for the
 *   need's moderators: its group's chairs and moderators, or administrators (the only ones for a need in
 *   no group); a need the actor may not read answers not_found, as if it did not exist;
 * - a need's handoffs are read by whoever reads the need, their sync errors only by its moderators.
 * Needs are placed in no group, an open group, a closed group (unpublished) and a closed group after
 * publication. Each case runs on a fresh need (and group, and tracker where it changes one). Refusals
 * must write nothing: no handoff, activity, status change, tracker change, nor an item upstream.
 */

allowPrivateAddresses(true);

let t: TestDatabase;
let gh: FakeGitHub;
/** The tracker the scene's existing handoff points at; drafts, creations and links go to `target`. */
let existing: TrackerRow;
let target: TrackerRow;
const clock = new TestClock();
const siteKey = randomBytes(32);
const SITE = 'https://caucus.test';

const ROLES = ['visitor', 'member', 'otherMember', 'otherChair', 'requester', 'groupMember', 'moderator', 'chair', 'admin'] as const;
type Role = (typeof ROLES)[number];
type Outcome = 'ok' | 'unauthenticated' | 'forbidden' | 'not_found' | 'conflict' | 'invalid_input';
type Row = Record<Role, Outcome>;
const row = (...outcomes: Outcome[]): Row => Object.fromEntries(ROLES.map((r, i) => [r, outcomes[i]])) as Row;

const PLACEMENTS = ['none', 'open', 'closed', 'closedPublished'] as const;
type Placement = (typeof PLACEMENTS)[number];

let people: Record<Exclude<Role, 'visitor'>, MemberRow>;

beforeAll(async () => {
	useSiteKey(siteKey);
	t = await createTestDatabase();
	gh = await startFakeGitHub();
	people = {
		member: await buildMember(t.db),
		otherMember: await buildMember(t.db),
		otherChair: await buildMember(t.db),
		requester: await buildMember(t.db),
		groupMember: await buildMember(t.db),
		moderator: await buildMember(t.db),
		chair: await buildMember(t.db),
		admin: await buildMember(t.db, { isAdmin: true })
	};
	// Another group: its chair leads a group, just not the need's.
	const other = await buildGroup(t.db, { visibility: 'closed', chair: people.otherChair });
	await addMembership(t.db, other, people.otherMember);
	existing = await buildTracker(t.db, { name: 'Existing', baseUrl: gh.url, project: gh.repo, token: gh.token });
	target = await buildTracker(t.db, { name: 'Target', baseUrl: gh.url, project: gh.repo, token: gh.token });
});
afterAll(async () => {
	useSiteKey(null);
	await gh?.close();
	await t?.close();
});

/** A new issue in the fake GitHub, as if someone had filed it upstream. */
function fakeIssue(title: string): number {
	const number = gh.issues.size + 1;
	gh.issues.set(number, {
		number,
		title,
		body: '',
		state: 'open',
		state_reason: null,
		labels: [],
		assignees: [],
		milestone: null,
		updated_at: clock.now().toISOString()
	});
	return number;
}

interface Scene {
	group: GroupRow;
	need: NeedRow;
	needGroup: GroupRow | null;
	memberships: Map<number, GroupMembershipRow>;
	/** A fresh issue, not yet linked to anything, for linkHandoff. */
	freeIssue: number;
}

async function scene(placement: Placement): Promise<Scene> {
	const group = await buildGroup(t.db, { visibility: placement === 'open' || placement === 'none' ? 'open' : 'closed', chair: people.chair });
	const memberships = new Map<number, GroupMembershipRow>();
	memberships.set(
		people.chair.id,
		await t.db.selectFrom('group_membership').selectAll().where('group_id', '=', group.id).where('member_id', '=', people.chair.id).executeTakeFirstOrThrow()
	);
	memberships.set(people.moderator.id, await addMembership(t.db, group, people.moderator, { role: 'moderator' }));
	memberships.set(people.groupMember.id, await addMembership(t.db, group, people.groupMember));
	memberships.set(people.requester.id, await addMembership(t.db, group, people.requester, { state: 'requested', message: 'let me in' }));
	const needGroup = placement === 'none' ? null : group;
	const need = await buildNeed(t.db, {
		status: 'handed_upstream',
		group: needGroup && { id: needGroup.id, visibility: needGroup.visibility },
		publishedAt: placement === 'closed' ? null : new Date('2026-11-02T00:00:00Z'),
		title: `A need placed ${placement} ${Math.random().toString(36).slice(2, 8)}`
	});
	const issue = fakeIssue(`Existing item for need ${need.id}`);
	const handoff = await buildHandoff(t.db, need, existing, { key: String(issue), url: gh.issueUrl(issue), syncedAt: new Date('2026-11-01T00:00:00Z') });
	await t.db.updateTable('handoff').set({ sync_error: 'The tracker answered 502.' }).where('id', '=', handoff.id).execute();
	return { group, need, needGroup, memberships, freeIssue: fakeIssue(`Free item for need ${need.id}`) };
}

const actorOf = (role: Role): Actor | null => (role === 'visitor' ? null : toActor(people[role], 'session'));
const ctxOf = (role: Role): Ctx => {
	clock.advance(1000);
	return ctxFor(t.db, role === 'visitor' ? null : people[role], clock);
};
const membershipOf = (role: Role, s: Scene) => (role === 'visitor' || !s.needGroup ? null : (s.memberships.get(people[role].id) ?? null));
/** Does the actor lead (chair or moderate, actively) some group? What listTrackerChoices asks the database. */
async function leadsSomeGroup(role: Role) {
	if (role === 'visitor') return false;
	const lead = await t.db
		.selectFrom('group_membership')
		.select('group_id')
		.where('member_id', '=', people[role].id)
		.where('state', '=', 'active')
		.where('role', 'in', ['chair', 'moderator'])
		.executeTakeFirst();
	return !!lead;
}

// ---- Need actions: by placement ----

type NeedAction = (ctx: Ctx, s: Scene) => Promise<unknown>;
const needActions: Record<string, NeedAction> = {
	draftHandoff: (ctx, s) => draftHandoff(ctx, s.need.id, { trackerId: target.id, kind: 'feature' }, { siteUrl: SITE }),
	createHandoff: (ctx, s) =>
		createHandoff(ctx, s.need.id, { trackerId: target.id, kind: 'feature', title: 'Quota per availability zone', body: 'Operators need it.' }),
	linkHandoff: (ctx, s) => linkHandoff(ctx, s.need.id, { trackerId: target.id, kind: 'feature', url: gh.issueUrl(s.freeIssue) }),
	syncNeed: (ctx, s) => syncNeed(ctx, s.need.id),
	getHandoffPage: (ctx, s) => getHandoffPage(ctx, s.need.id),
	listHandoffsOfNeed: (ctx, s) => listHandoffsOfNeed(ctx, s.need.id)
};

//                                       visitor            member       otherMember  otherChair   requester    groupMember  moderator chair admin
const moderate: Record<Placement, Row> = {
	none: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok'),
	open: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'ok'),
	closed: row('unauthenticated', 'not_found', 'not_found', 'not_found', 'not_found', 'forbidden', 'ok', 'ok', 'ok'),
	closedPublished: row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'ok')
};
const expectedNeed: Record<string, Record<Placement, Row>> = {
	draftHandoff: moderate,
	createHandoff: moderate,
	linkHandoff: moderate,
	syncNeed: moderate,
	// The page reads the need first, so a visitor who may read it is refused (forbidden), not asked to sign in.
	getHandoffPage: {
		none: row('forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok'),
		open: row('forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'ok'),
		closed: row('not_found', 'not_found', 'not_found', 'not_found', 'not_found', 'forbidden', 'ok', 'ok', 'ok'),
		closedPublished: row('forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok', 'ok', 'ok')
	},
	listHandoffsOfNeed: {
		none: row('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
		open: row('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok'),
		closed: row('not_found', 'not_found', 'not_found', 'not_found', 'not_found', 'ok', 'ok', 'ok', 'ok'),
		closedPublished: row('ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok')
	}
};

// ---- Tracker actions: no group involved ----

type TrackerAction = (ctx: Ctx, tracker: TrackerRow) => Promise<unknown>;
let names = 0;
const trackerInput = (): TrackerInput => ({
	name: `Tracker case ${++names}`,
	provider: 'github',
	baseUrl: gh.url,
	project: gh.repo,
	credentials: { token: gh.token }
});
const trackerActions: Record<string, TrackerAction> = {
	createTracker: (ctx) => createTracker(ctx, trackerInput()),
	updateTracker: (ctx, tr) => updateTracker(ctx, tr.id, trackerInput()),
	setTrackerEnabled: (ctx, tr) => setTrackerEnabled(ctx, tr.id, { enabled: false }),
	listTrackersForAdmin: (ctx) => listTrackersForAdmin(ctx),
	getTrackerForAdmin: (ctx, tr) => getTrackerForAdmin(ctx, tr.id),
	listTrackerChoices: (ctx) => listTrackerChoices(ctx)
};
const administer = row('unauthenticated', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'forbidden', 'ok');
const expectedTracker: Record<string, Row> = {
	createTracker: administer,
	updateTracker: administer,
	setTrackerEnabled: administer,
	listTrackersForAdmin: administer,
	getTrackerForAdmin: administer,
	//                        visitor            member       otherMember  otherChair requester    groupMember  moderator chair admin
	listTrackerChoices: row('unauthenticated', 'forbidden', 'forbidden', 'ok', 'forbidden', 'forbidden', 'ok', 'ok', 'ok')
};

const count = async (table: 'activity' | 'tracker' | 'handoff' | 'need_status_change' | 'job') =>
	Number(
		(
			await t.db
				.selectFrom(table)
				.select((eb) => eb.fn.countAll<number>().as('n'))
				.executeTakeFirstOrThrow()
		).n
	);

async function snapshot(needId?: number) {
	return {
		activity: await count('activity'),
		trackers: await t.db.selectFrom('tracker').selectAll().orderBy('id').execute(),
		handoffs: await t.db.selectFrom('handoff').selectAll().orderBy('id').execute(),
		statusChanges: await count('need_status_change'),
		jobs: await count('job'),
		need: needId ? await t.db.selectFrom('need').selectAll().where('id', '=', needId).executeTakeFirstOrThrow() : null,
		issues: gh.issues.size
	};
}

async function run(action: () => Promise<unknown>): Promise<{ outcome: Outcome; value: unknown }> {
	try {
		return { outcome: 'ok', value: await action() };
	} catch (error) {
		if (!(error instanceof AppError)) throw error;
		return { outcome: error.code as Outcome, value: null };
	}
}

describe('the handoff authorization matrix', () => {
	it('covers every action', () => {
		expect(Object.keys(expectedNeed).sort()).toEqual(Object.keys(needActions).sort());
		expect(Object.keys(expectedTracker).sort()).toEqual(Object.keys(trackerActions).sort());
	});

	for (const [name, action] of Object.entries(needActions)) {
		for (const placement of PLACEMENTS) {
			it(`${name}, need ${placement === 'none' ? 'in no group' : `in ${placement === 'open' ? 'an open' : 'a closed'} group${placement === 'closedPublished' ? ', published' : ''}`}`, async () => {
				const actual = {} as Row;
				for (const role of ROLES) {
					const s = await scene(placement);
					// The pure policy says the same as the commands that need moderation.
					const policy = mayHandOff(actorOf(role), s.needGroup, membershipOf(role, s));
					expect(policy, `mayHandOff for ${role}`).toBe(moderate[placement][role] === 'ok');
					const before = await snapshot(s.need.id);
					const { outcome, value } = await run(() => action(ctxOf(role), s));
					actual[role] = outcome;
					if (outcome !== 'ok' || name === 'draftHandoff' || name === 'getHandoffPage' || name === 'listHandoffsOfNeed') {
						const after = await snapshot(s.need.id);
						expect(after, `${name} by ${role} writes nothing`).toEqual(before);
					}
					if (outcome === 'ok' && (name === 'createHandoff' || name === 'linkHandoff')) {
						const last = await t.db.selectFrom('activity').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
						expect(last.action, `${name} by ${role}`).toMatch(/^handoff\./);
						expect(last.group_id).toBe(s.needGroup?.id ?? null);
						expect(
							await t.db.selectFrom('handoff').select('id').where('need_id', '=', s.need.id).where('tracker_id', '=', target.id).executeTakeFirst()
						).toBeTruthy();
					}
					if (outcome === 'ok' && name === 'syncNeed') {
						const synced = await t.db.selectFrom('handoff').selectAll().where('need_id', '=', s.need.id).executeTakeFirstOrThrow();
						expect(synced.sync_error, `${name} by ${role} read the item again`).toBeNull();
						expect(synced.synced_at!.getTime()).toBeGreaterThan(new Date('2026-11-01T00:00:00Z').getTime());
					}
					if (outcome === 'ok' && name === 'listHandoffsOfNeed') {
						const listed = value as Awaited<ReturnType<typeof listHandoffsOfNeed>>;
						expect(listed.mayHandOff, `${role} told whether they may hand off`).toBe(policy);
						// The scene's need is handable (handed upstream, shown) and has a handoff: both abilities are the policy's answer.
						expect(listed.abilities, `${role}'s abilities on the page`).toEqual({ handOff: policy, sync: policy });
						expect(listed.handoffs).toHaveLength(1);
						expect(listed.handoffs[0].syncError !== null, `${role} sees the sync error only as a moderator`).toBe(policy);
					}
				}
				expect(actual).toEqual(expectedNeed[name][placement]);
			});
		}
	}

	it('the pure tracker policies: administrators configure, administrators and leads of any group choose', async () => {
		for (const role of ROLES) {
			expect(mayAdministerTrackers(actorOf(role)), `mayAdministerTrackers for ${role}`).toBe(expectedTracker.createTracker[role] === 'ok');
			expect(mayListTrackers(actorOf(role), await leadsSomeGroup(role)), `mayListTrackers for ${role}`).toBe(expectedTracker.listTrackerChoices[role] === 'ok');
		}
		// Leading is what counts, not the door the actor came through.
		expect(mayListTrackers({ ...actorOf('moderator')!, via: 'token' }, true)).toBe(true);
		expect(mayAdministerTrackers({ ...actorOf('admin')!, via: 'token' })).toBe(true);
	});

	for (const [name, action] of Object.entries(trackerActions)) {
		it(`${name}`, async () => {
			// Leads of some group: the scene groups make moderator and chair leads; requester, groupMember stay plain.
			await scene('open');
			const actual = {} as Row;
			for (const role of ROLES) {
				const tracker = await buildTracker(t.db, { name: `Fresh ${++names}`, baseUrl: gh.url, project: gh.repo, token: gh.token });
				const before = await snapshot();
				const { outcome, value } = await run(() => action(ctxOf(role), tracker));
				actual[role] = outcome;
				if (outcome !== 'ok' || name.startsWith('list') || name.startsWith('get')) {
					expect(await snapshot(), `${name} by ${role} writes nothing`).toEqual(before);
				} else {
					const last = await t.db.selectFrom('activity').selectAll().orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
					expect(last.action, `${name} by ${role}`).toMatch(/^tracker\./);
				}
				if (outcome === 'ok' && name === 'listTrackerChoices') {
					// Never credentials to anyone choosing a tracker.
					expect(JSON.stringify(value)).not.toContain(gh.token);
					expect((value as Array<Record<string, unknown>>).every((v) => !('credentialsSet' in v) && !('settings' in v))).toBe(true);
				}
			}
			expect(actual).toEqual(expectedTracker[name]);
		});
	}
});

describe('what a refusal tells a moderator about needs they may not read', () => {
	// Linking an upstream item already linked to a closed group's unpublished need once answered "already
	// linked to need #<id>", handing a moderator of another group the unguessable id of a need they may not
	// read (decision 0014). The conflict now names the need only to those who may read it.
	it('linking an item already linked to a closed group’s unpublished need does not reveal that need’s id', async () => {
		const hidden = await scene('closed');
		await linkHandoff(ctxOf('chair'), hidden.need.id, { trackerId: target.id, kind: 'feature', url: gh.issueUrl(hidden.freeIssue) });
		// A moderator of an open group, who may not read the closed need, links the same item to their own need.
		const open = await scene('open');
		const outsider = await buildMember(t.db);
		await addMembership(t.db, open.group, outsider, { role: 'moderator' });
		expect((await run(() => listHandoffsOfNeed(ctxFor(t.db, outsider, clock), hidden.need.id))).outcome).toBe('not_found');
		let message = '';
		try {
			await linkHandoff(ctxFor(t.db, outsider, clock), open.need.id, { trackerId: target.id, kind: 'feature', url: gh.issueUrl(hidden.freeIssue) });
		} catch (error) {
			if (!(error instanceof AppError)) throw error;
			expect(error.code).toBe('conflict');
			message = `${error.message} ${JSON.stringify(error.fields ?? {})}`;
		}
		expect(message).not.toBe('');
		expect(message).not.toContain(String(hidden.need.id));
	});
});
