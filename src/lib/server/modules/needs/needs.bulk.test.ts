import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { untrusted } from '#lib/server/platform/errors.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildComponent, buildNeed } from './needs.factories.ts';
import { changeStatus, triageMany } from './needs.triage.ts';
import { editNeed } from './needs.commands.ts';
import { getNeedHistory } from './needs.history.ts';
import { getTriageQueue } from './needs.queue.ts';

/*
 * Triage of several needs at once (triageMany): only the group's leads, each need recorded exactly as a
 * single action records it, and all or nothing.
 */

let t: TestDatabase;
let admin: MemberRow;
let chair: MemberRow;
let moderator: MemberRow;
let member: MemberRow;
let otherChair: MemberRow;
let open: GroupRow;
let closed: GroupRow;
const clock = new TestClock();

beforeAll(async () => {
	t = await createTestDatabase();
	admin = await buildMember(t.db, { isAdmin: true });
	chair = await buildMember(t.db, { handle: 'bulk-chair' });
	moderator = await buildMember(t.db, { handle: 'bulk-moderator' });
	member = await buildMember(t.db, { handle: 'bulk-member' });
	otherChair = await buildMember(t.db, { handle: 'bulk-other-chair' });
	open = await buildGroup(t.db, { slug: 'bulk-open', name: 'Bulk Open', chair });
	closed = await buildGroup(t.db, { slug: 'bulk-closed', name: 'Bulk Closed', visibility: 'closed', chair });
	for (const g of [open, closed]) {
		await addMembership(t.db, g, moderator, { role: 'moderator' });
		await addMembership(t.db, g, member);
	}
	// The chair of another group leads needs, but not these.
	await buildGroup(t.db, { slug: 'bulk-elsewhere', chair: otherChair });
});
afterAll(() => t?.close());

const as = (who: MemberRow | null) => {
	clock.advance(1000);
	return ctxFor(t.db, who, clock);
};
const failure = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(error: unknown) => error as { code: string; fields: Record<string, string>; message: string }
	);
const REASON = 'Confirmed by operators at the meetup.';

async function statusRows(ids: number[]) {
	return t.db
		.selectFrom('need_status_change')
		.select(['need_id', 'from_status', 'to_status', 'reason', 'actor_id', 'at'])
		.where('need_id', 'in', ids)
		.orderBy('need_id')
		.orderBy('id')
		.execute();
}
async function activityOf(ids: number[]) {
	return t.db
		.selectFrom('activity')
		.select(['subject_id', 'action', 'actor_id', 'group_id', 'data'])
		.where('subject_type', '=', 'need')
		.where('subject_id', 'in', ids)
		.orderBy('subject_id')
		.orderBy('id')
		.execute();
}
async function statuses(ids: number[]) {
	const rows = await t.db.selectFrom('need').select(['id', 'status', 'status_reason', 'tags']).where('id', 'in', ids).orderBy('id').execute();
	return rows;
}

describe('who may triage several needs at once', () => {
	it('refuses visitors, plain members and other groups’ leads, for an open and a closed group, and changes nothing', async () => {
		for (const group of [open, closed]) {
			const needs = await Promise.all([1, 2].map(() => buildNeed(t.db, { group })));
			const ids = needs.map((n) => n.id);
			const input = { action: 'accept' as const, needIds: ids, reason: REASON };
			expect(await failure(triageMany(as(null), group.slug, input))).toMatchObject({ code: 'unauthenticated' });
			expect(await failure(triageMany(as(member), group.slug, input))).toMatchObject({ code: 'forbidden' });
			// A closed group's work is not there at all for an outsider; an open group's is, but not theirs to triage.
			expect(await failure(triageMany(as(otherChair), group.slug, input))).toMatchObject({
				code: group.visibility === 'closed' ? 'not_found' : 'forbidden'
			});
			expect((await statuses(ids)).map((r) => r.status)).toEqual(['new', 'new']);
			expect(await statusRows(ids)).toEqual([]);
			expect(await activityOf(ids)).toEqual([]);
		}
	});

	it('lets the chair, a moderator and a site administrator act', async () => {
		for (const who of [chair, moderator, admin]) {
			const need = await buildNeed(t.db, { group: closed });
			const result = await triageMany(as(who), closed.slug, { action: 'accept', needIds: [need.id], reason: REASON });
			expect(result).toMatchObject({ action: 'accept', changedIds: [need.id], needs: [{ id: need.id, status: 'accepted' }] });
		}
	});

	it('refuses needs of another group without saying whether they exist, and changes nothing', async () => {
		const mine = await buildNeed(t.db, { group: open });
		const theirs = await buildNeed(t.db, { group: closed, title: 'A closed group’s secret' });
		const error = await failure(triageMany(as(chair), open.slug, { action: 'accept', needIds: [mine.id, theirs.id, 999_999_999], reason: REASON }));
		expect(error).toMatchObject({
			code: 'invalid_input',
			fields: {
				needIds: `${[theirs.id, 999_999_999]
					.sort((a, b) => a - b)
					.map((id) => `#${id}`)
					.join(' and ')} are not among Bulk Open’s needs.`,
				[`need-${theirs.id}`]: expect.any(String),
				'need-999999999': expect.any(String)
			}
		});
		expect(JSON.stringify(error)).not.toContain('secret');
		expect(await statuses([mine.id, theirs.id])).toEqual([expect.objectContaining({ status: 'new' }), expect.objectContaining({ status: 'new' })]);
	});
});

describe('each need is recorded as a single action records it', () => {
	it('bulk accept writes the same status history and audit entry per need as changeStatus does', async () => {
		const single = await buildNeed(t.db, { group: open });
		const bulk = (await Promise.all([1, 2, 3].map(() => buildNeed(t.db, { group: open })))).sort((a, b) => a.id - b.id);
		await changeStatus(as(chair), single.id, { status: 'accepted', reason: REASON });
		const ctx = as(chair);
		const result = await triageMany(ctx, open.slug, { action: 'accept', needIds: bulk.map((n) => n.id).reverse(), reason: REASON });
		expect(result.needs.map((n) => n.id)).toEqual(bulk.map((n) => n.id));
		expect(result.needs.every((n) => n.status === 'accepted' && n.statusReason === REASON)).toBe(true);

		const shape = ({ from_status, to_status, reason, actor_id }: Awaited<ReturnType<typeof statusRows>>[number]) => ({
			from_status,
			to_status,
			reason,
			actor_id
		});
		const [one] = await statusRows([single.id]);
		const many = await statusRows(bulk.map((n) => n.id));
		expect(many).toHaveLength(3);
		for (const row of many) {
			expect(shape(row)).toEqual(shape(one));
			expect(row.at).toEqual(ctx.now());
		}
		const oneActivity = (await activityOf([single.id])).map(({ action, actor_id, group_id, data }) => ({ action, actor_id, group_id, data }));
		for (const need of bulk) {
			expect((await activityOf([need.id])).map(({ action, actor_id, group_id, data }) => ({ action, actor_id, group_id, data }))).toEqual(oneActivity);
			// And the need's history, as its triage page and the API show it.
			const history = await getNeedHistory(as(member), need.id);
			expect(history).toEqual([
				expect.objectContaining({
					kind: 'status',
					fromStatus: 'new',
					toStatus: 'accepted',
					reason: REASON,
					actor: expect.objectContaining({ handle: 'bulk-chair' })
				})
			]);
		}
	});

	it('bulk decline takes one reason for all, by the same rule as a single decline', async () => {
		const needs = await Promise.all([1, 2].map(() => buildNeed(t.db, { group: open, status: 'triaged' })));
		const ids = needs.map((n) => n.id);
		expect(await failure(triageMany(as(chair), open.slug, { action: 'decline', needIds: ids, reason: 'No.' }))).toMatchObject({
			code: 'invalid_input',
			fields: { reason: expect.stringContaining('at least 10 characters') }
		});
		expect(await failure(changeStatus(as(chair), ids[0], { status: 'declined', reason: 'No.' }))).toMatchObject({
			fields: { reason: expect.stringContaining('at least 10 characters') }
		});
		await triageMany(as(chair), open.slug, { action: 'decline', needIds: ids, reason: 'Belongs in the deployment tooling.' });
		expect((await statusRows(ids)).map((r) => [r.from_status, r.to_status, r.reason])).toEqual([
			['triaged', 'declined', 'Belongs in the deployment tooling.'],
			['triaged', 'declined', 'Belongs in the deployment tooling.']
		]);
	});

	it('adding a tag or a component is an edit of each need, recorded as editNeed records it; a need that has it already is left alone', async () => {
		const compute = await buildComponent(t.db, { slug: 'bulk-compute', name: 'Compute' });
		const single = await buildNeed(t.db, { group: open, tags: ['upgrade'] });
		const tagged = await buildNeed(t.db, { group: open, tags: ['upgrade'] });
		const plain = await buildNeed(t.db, { group: open, tags: ['numa'] });
		const already = await buildNeed(t.db, { group: open, tags: ['numa', 'ptg'], components: ['bulk-compute'] });
		await editNeed(as(chair), single.id, { tags: ['upgrade', 'ptg'] });
		const tagResult = await triageMany(as(chair), open.slug, { action: 'tag', needIds: [tagged.id, plain.id, already.id], tag: 'PTG' });
		expect(tagResult.changedIds).toEqual([tagged.id, plain.id]);
		expect((await statuses([tagged.id, plain.id, already.id])).map((r) => r.tags)).toEqual([
			['upgrade', 'ptg'],
			['numa', 'ptg'],
			['numa', 'ptg']
		]);
		const data = async (id: number) => (await activityOf([id])).map((a) => ({ action: a.action, data: a.data }));
		expect(await data(tagged.id)).toEqual(await data(single.id));
		expect(await data(plain.id)).toEqual([{ action: 'need.edited', data: { changes: { tags: { from: ['numa'], to: ['numa', 'ptg'] } } } }]);
		expect(await data(already.id)).toEqual([]);

		const componentResult = await triageMany(as(moderator), open.slug, { action: 'component', needIds: [plain.id, already.id], component: 'bulk-compute' });
		expect(componentResult.changedIds).toEqual([plain.id]);
		expect((await data(plain.id)).at(-1)).toEqual({ action: 'need.edited', data: { changes: { components: { from: [], to: ['bulk-compute'] } } } });
		expect(await failure(triageMany(as(chair), open.slug, { action: 'component', needIds: [plain.id], component: 'no-such-thing' }))).toMatchObject({
			code: 'invalid_input',
			fields: { component: expect.stringContaining('no-such-thing') }
		});
		expect(compute.slug).toBe('bulk-compute');
	});
});

describe('all or nothing', () => {
	it('when one need refuses, none changes, and every refusing need is named with its reason', async () => {
		const fresh = await Promise.all([1, 2].map(() => buildNeed(t.db, { group: open })));
		const accepted = await buildNeed(t.db, { group: open, status: 'accepted', statusReason: 'Long accepted already.' });
		const declined = await buildNeed(t.db, { group: open, status: 'declined', statusReason: 'Out of scope for now.' });
		const ids = [...fresh.map((n) => n.id), accepted.id, declined.id];
		const before = await statuses(ids);
		const error = await failure(triageMany(as(chair), open.slug, { action: 'accept', needIds: ids, reason: REASON }));
		expect(error).toMatchObject({
			code: 'conflict',
			message: expect.stringMatching(/^Nothing was changed: 2 of 4 needs cannot be accepted\./),
			fields: {
				[`need-${accepted.id}`]: 'The need is already accepted.',
				[`need-${declined.id}`]: expect.stringContaining('triaged')
			}
		});
		expect(Object.keys(error!.fields)).toHaveLength(2);
		expect(await statuses(ids)).toEqual(before);
		expect(await statusRows(ids)).toEqual([]);
		expect(await activityOf(ids)).toEqual([]);
	});

	it('refuses bad input before touching anything', async () => {
		const need = await buildNeed(t.db, { group: open });
		for (const input of [
			{ action: 'accept', needIds: [], reason: REASON },
			{ action: 'promote', needIds: [need.id] },
			{ action: 'tag', needIds: [need.id], tag: 'a, b' },
			{ action: 'tag', needIds: [need.id] },
			{ action: 'accept', needIds: Array.from({ length: 101 }, (_, i) => i + 1), reason: REASON },
			{ action: 'accept', needIds: ['x'], reason: REASON }
		]) {
			expect(await failure(triageMany(as(chair), open.slug, untrusted(input)))).toMatchObject({ code: 'invalid_input' });
		}
		// Everything missing is said at once.
		expect((await failure(triageMany(as(chair), open.slug, untrusted({ action: 'decline', needIds: [] }))))?.fields).toEqual({
			needIds: 'Select at least one need.',
			reason: expect.any(String)
		});
		expect(await statuses([need.id])).toEqual([expect.objectContaining({ status: 'new' })]);
	});
});

describe('the triage queue', () => {
	it('shows a group’s needs by state, with counts, to its leads only', async () => {
		const group = await buildGroup(t.db, { visibility: 'closed', chair });
		await addMembership(t.db, group, member);
		const target = await buildNeed(t.db, { group, supporters: [member] });
		await buildNeed(t.db, { group, duplicateOf: target });
		await buildNeed(t.db, { group, hiddenAt: new Date(), hiddenReason: 'Spam' });
		await buildNeed(t.db, { group, status: 'accepted' });
		await buildNeed(t.db, { group, status: 'in_progress' });
		const access = (who: MemberRow) => ({ group, membership: who === chair ? { role: 'chair' as const, state: 'active' as const } : null });
		const page = await getTriageQueue(as(chair), access(chair));
		expect(page).toMatchObject({
			queue: 'new',
			counts: { new: 2, triaged: 0, accepted: 1, upstream: 1, delivered: 0, declined: 0 },
			total: 2,
			actions: ['accept', 'decline', 'tag', 'component']
		});
		expect(page!.needs.map((n) => [n.id === target.id, n.hidden, n.unpublished])).toEqual([
			[true, false, true],
			[false, true, true]
		]);
		expect((await getTriageQueue(as(chair), access(chair), { queue: 'accepted' }))!.actions).toEqual(['decline', 'tag', 'component']);
		expect((await getTriageQueue(as(chair), access(chair), { queue: 'nonsense' }))!.queue).toBe('new');
		expect(await getTriageQueue(as(member), { group, membership: { role: 'member', state: 'active' } })).toBeNull();
		expect(await getTriageQueue(as(null), { group, membership: null })).toBeNull();
	});
});
