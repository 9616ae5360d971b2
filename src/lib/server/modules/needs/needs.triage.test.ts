import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { untrusted } from '#lib/server/platform/errors.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from './needs.factories.ts';
import { followNeed, supportNeed, withdrawSupport } from './needs.supports.ts';
import { changeStatus, hideNeed, lockNeed, mergeNeed, publishNeed, splitNeed, undoMerge, unhideNeed, unlockNeed } from './needs.triage.ts';
import { getNeedHistory, listMerges, listMyNotifications, mergeCandidates } from './needs.history.ts';
import { addComment } from './needs.comments.ts';
import { getNeedPage } from './needs.queries.ts';

let t: TestDatabase;
let admin: MemberRow;
let chair: MemberRow;
let group: GroupRow;
const clock = new TestClock();
beforeAll(async () => {
	t = await createTestDatabase();
	admin = await buildMember(t.db, { isAdmin: true });
	chair = await buildMember(t.db, { handle: 'chair-ana' });
	group = await buildGroup(t.db, { chair });
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

async function need(id: number) {
	return t.db.selectFrom('need').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}
async function supportRows(needId: number) {
	return t.db.selectFrom('support').select(['member_id', 'deployment_id', 'impact']).where('need_id', '=', needId).orderBy('member_id').execute();
}
async function followRows(needId: number) {
	return (await t.db.selectFrom('need_follow').select('member_id').where('need_id', '=', needId).orderBy('member_id').execute()).map((r) => r.member_id);
}
async function notificationsOf(member: MemberRow, kind: string) {
	return t.db.selectFrom('notification').selectAll().where('member_id', '=', member.id).where('kind', '=', kind).orderBy('id').execute();
}
/** The stored counts of the needs named, and whether they equal a recount from the rows. */
async function exactCounts() {
	const result = await sql<{ id: number; stored: number; actual: number }>`
		select n.id, n.support_count as stored, (
			select count(distinct s.member_id)::int from support s
			where s.need_id = n.id or s.need_id in (select d.id from need d where d.duplicate_of_id = n.id)
		) as actual from need n`.execute(t.db);
	return result.rows.filter((r) => Number(r.stored) !== Number(r.actual));
}
const people = (n: number) => Promise.all(Array.from({ length: n }, () => buildMember(t.db)));

describe('merging and undoing', () => {
	it('merge then undo restores exactly the counts, supporters, followers and status of both needs', async () => {
		const [a1, a2, both, b1, b2, follower] = await people(6);
		const target = await buildNeed(t.db, { group, title: 'Live migration fails with NUMA pinning', supporters: [a1, a2, both] });
		const source = await buildNeed(t.db, {
			group,
			title: 'NUMA pinned instances cannot live migrate',
			status: 'triaged',
			statusReason: 'Seen twice.',
			supporters: [both, b1, b2]
		});
		await supportNeed(as(b1), source.id, { impact: 'Blocks our upgrade' });
		await followNeed(as(follower), source.id);
		await followNeed(as(a1), target.id);
		const before = {
			source: await need(source.id),
			target: await need(target.id),
			sourceSupports: await supportRows(source.id),
			targetSupports: await supportRows(target.id)
		};
		expect(before.target.support_count).toBe(3);
		expect(before.source.support_count).toBe(3);

		const result = await mergeNeed(as(chair), { sourceId: source.id, targetId: target.id, reason: 'Same bug, two titles.' });
		expect(result.target.supportCount).toBe(5); // a1, a2, both, b1, b2: "both" counts once
		expect(result.source).toMatchObject({ status: 'duplicate', statusReason: 'Same bug, two titles.', duplicateOfId: target.id, supportCount: 3 });
		expect(result.merge).toMatchObject({ previousStatus: 'triaged', previousReason: 'Seen twice.', carriedIds: [] });
		// Nothing moved.
		expect(await supportRows(source.id)).toEqual(before.sourceSupports);
		expect(await supportRows(target.id)).toEqual(before.targetSupports);
		expect(await followRows(source.id)).toEqual([follower.id]);
		// Told: the source's supporters and followers not supporting the target, never the one who merged.
		expect(result.notified).toBe(3);
		for (const m of [b1, b2, follower]) {
			const [n] = await notificationsOf(m, 'need.merged');
			expect(n).toMatchObject({
				subject_type: 'need',
				subject_id: target.id,
				data: expect.objectContaining({ sourceId: source.id, targetId: target.id, title: target.title })
			});
		}
		expect(await notificationsOf(both, 'need.merged')).toEqual([]);
		expect(await exactCounts()).toEqual([]);

		// A told supporter can withdraw from the target.
		await withdrawSupport(as(b2), target.id);
		expect((await need(target.id)).support_count).toBe(4);
		expect((await supportRows(source.id)).map((r) => r.member_id)).toEqual([both.id, b1.id].sort((x, y) => x - y));

		const undone = await undoMerge(as(chair), result.merge.id);
		expect(undone.source).toMatchObject({ status: 'triaged', statusReason: 'Seen twice.', duplicateOfId: null, supportCount: 2 });
		expect(undone.target.supportCount).toBe(3);
		expect(undone.merge.undoneAt).not.toBeNull();
		expect(await supportRows(target.id)).toEqual(before.targetSupports);
		expect(await followRows(source.id)).toEqual([follower.id]);
		expect(await followRows(target.id)).toEqual([a1.id]);
		expect(await exactCounts()).toEqual([]);

		const statuses = await t.db
			.selectFrom('need_status_change')
			.select(['from_status', 'to_status', 'actor_id'])
			.where('need_id', '=', source.id)
			.orderBy('id')
			.execute();
		expect(statuses).toEqual([
			{ from_status: 'triaged', to_status: 'duplicate', actor_id: chair.id },
			{ from_status: 'duplicate', to_status: 'triaged', actor_id: chair.id }
		]);
		const audit = await t.db
			.selectFrom('activity')
			.select(['action', 'group_id'])
			.where('subject_type', '=', 'need')
			.where('subject_id', '=', source.id)
			.orderBy('id')
			.execute();
		expect(audit).toEqual([
			{ action: 'need.merged', group_id: group.id },
			{ action: 'need.merge_undone', group_id: group.id }
		]);
		expect(await failure(undoMerge(as(chair), result.merge.id))).toMatchObject({ code: 'conflict' });
	});

	it('counts once a person who supported both needs', async () => {
		const [olga] = await people(1);
		const a = await buildNeed(t.db, { group, supporters: [olga] });
		const b = await buildNeed(t.db, { group, supporters: [olga] });
		const { target } = await mergeNeed(as(chair), { sourceId: b.id, targetId: a.id, reason: 'Duplicate.' });
		expect(target.supportCount).toBe(1);
		expect(await notificationsOf(olga, 'need.merged')).toEqual([]);
		// Supporting the duplicate now supports the target, still once.
		expect(await supportNeed(as(olga), b.id, {})).toMatchObject({ needId: a.id, redirectedFrom: b.id, supportCount: 1 });
	});

	it('re-points needs already merged into the source, and points them back on undo', async () => {
		const [x, y, z] = await people(3);
		const a = await buildNeed(t.db, { group, supporters: [x] });
		const b = await buildNeed(t.db, { group, supporters: [y] });
		const c = await buildNeed(t.db, { group, supporters: [z] });
		const first = await mergeNeed(as(chair), { sourceId: c.id, targetId: b.id, reason: 'C is B.' });
		expect((await need(b.id)).support_count).toBe(2);
		const second = await mergeNeed(as(chair), { sourceId: b.id, targetId: a.id, reason: 'B is A.' });
		expect(second.merge.carriedIds).toEqual([c.id]);
		expect((await need(c.id)).duplicate_of_id).toBe(a.id);
		expect((await need(a.id)).support_count).toBe(3);
		expect((await need(b.id)).support_count).toBe(1);
		expect(await exactCounts()).toEqual([]);
		// The earlier merge cannot be undone while the later one stands.
		expect(await failure(undoMerge(as(chair), first.merge.id))).toMatchObject({ code: 'conflict', message: expect.stringContaining(`#${second.merge.id}`) });
		expect((await listMerges(as(chair), c.id)).find((m) => m.id === first.merge.id)?.undoable).toBe(false);

		await undoMerge(as(chair), second.merge.id);
		expect((await need(c.id)).duplicate_of_id).toBe(b.id);
		expect((await need(a.id)).support_count).toBe(1);
		expect((await need(b.id)).support_count).toBe(2);
		await undoMerge(as(chair), first.merge.id);
		expect(await need(c.id)).toMatchObject({ duplicate_of_id: null, status: 'new', support_count: 1 });
		expect(await exactCounts()).toEqual([]);
	});

	it('refuses merges that would break the rules, naming the field', async () => {
		const a = await buildNeed(t.db, { group });
		const b = await buildNeed(t.db, { group });
		expect(await failure(mergeNeed(as(chair), { sourceId: a.id, targetId: a.id, reason: 'self' }))).toMatchObject({
			code: 'invalid_input',
			fields: { targetId: expect.any(String) }
		});
		expect(await failure(mergeNeed(as(chair), { sourceId: a.id, targetId: b.id, reason: '' }))).toMatchObject({
			code: 'invalid_input',
			fields: { reason: expect.any(String) }
		});
		expect(await failure(mergeNeed(as(chair), { sourceId: a.id, targetId: 9_999_999, reason: 'gone' }))).toMatchObject({
			code: 'invalid_input',
			fields: { targetId: expect.any(String) }
		});
		const hidden = await buildNeed(t.db, { group, hiddenAt: new Date(), hiddenReason: 'spam' });
		expect(await failure(mergeNeed(as(chair), { sourceId: a.id, targetId: hidden.id, reason: 'dup' }))).toMatchObject({
			code: 'conflict',
			fields: { targetId: expect.any(String) }
		});
		const dup = await buildNeed(t.db, { group, duplicateOf: b });
		expect(await failure(mergeNeed(as(chair), { sourceId: a.id, targetId: dup.id, reason: 'dup' }))).toMatchObject({
			code: 'conflict',
			fields: { targetId: expect.stringContaining(`#${b.id}`) }
		});
		expect(await failure(mergeNeed(as(chair), { sourceId: dup.id, targetId: a.id, reason: 'dup' }))).toMatchObject({ code: 'conflict' });
		// A target in a group the actor does not moderate.
		const other = await buildGroup(t.db);
		const elsewhere = await buildNeed(t.db, { group: other });
		expect(await failure(mergeNeed(as(chair), { sourceId: a.id, targetId: elsewhere.id, reason: 'dup' }))).toMatchObject({
			code: 'forbidden',
			fields: { targetId: expect.any(String) }
		});
		// A public need cannot go into a closed group's unpublished need: its supporters could not follow.
		const closed = await buildGroup(t.db, { visibility: 'closed', chair });
		const secret = await buildNeed(t.db, { group: closed });
		expect(await failure(mergeNeed(as(chair), { sourceId: a.id, targetId: secret.id, reason: 'dup' }))).toMatchObject({
			code: 'conflict',
			fields: { targetId: expect.any(String) }
		});
		// ... but an unpublished need may go into a public one, or into another of its own group.
		const secret2 = await buildNeed(t.db, { group: closed });
		await mergeNeed(as(chair), { sourceId: secret2.id, targetId: secret.id, reason: 'same' });
		expect(await exactCounts()).toEqual([]);
		const untouched = await t.db.selectFrom('need_merge').select('id').where('source_id', '=', a.id).execute();
		expect(untouched).toEqual([]);
	});

	it('tells a supporter only if they may read the target', async () => {
		const closed = await buildGroup(t.db, { visibility: 'closed', chair });
		const [insider, leaver] = await people(2);
		await addMembership(t.db, closed, insider);
		const source = await buildNeed(t.db, { group: closed, supporters: [insider, leaver] });
		const target = await buildNeed(t.db, { group: closed });
		const { notified } = await mergeNeed(as(chair), { sourceId: source.id, targetId: target.id, reason: 'Same.' });
		expect(notified).toBe(1);
		expect(await notificationsOf(insider, 'need.merged')).toHaveLength(1);
		expect(await notificationsOf(leaver, 'need.merged')).toEqual([]);
		// And a record about a need one can no longer read is not listed.
		await t.db.deleteFrom('group_membership').where('member_id', '=', insider.id).execute();
		expect((await listMyNotifications(as(insider))).notifications).toEqual([]);
	});
});

describe('status changes', () => {
	it('moves along the allowed transitions with a reason, recorded with actor and time', async () => {
		const n = await buildNeed(t.db, { group });
		const ctx = as(chair);
		const changed = await changeStatus(ctx, n.id, { status: 'triaged', reason: 'Reproduced on 2025.1.' });
		expect(changed).toMatchObject({ status: 'triaged', statusReason: 'Reproduced on 2025.1.' });
		const change = await t.db.selectFrom('need_status_change').selectAll().where('need_id', '=', n.id).executeTakeFirstOrThrow();
		expect(change).toMatchObject({ from_status: 'new', to_status: 'triaged', reason: 'Reproduced on 2025.1.', actor_id: chair.id, at: ctx.now() });
		await changeStatus(as(chair), n.id, { status: 'accepted', reason: 'We want it.' });
		await changeStatus(as(chair), n.id, { status: 'declined', reason: 'Upstream will not take it: it conflicts with cells.' });
		expect(await need(n.id)).toMatchObject({ status: 'declined', status_reason: 'Upstream will not take it: it conflicts with cells.' });
		await changeStatus(as(admin), n.id, { status: 'triaged', reason: 'Reopened after the PTG.' });
		const activity = await t.db
			.selectFrom('activity')
			.select(['action', 'data'])
			.where('subject_id', '=', n.id)
			.where('action', '=', 'need.status_changed')
			.execute();
		expect(activity).toHaveLength(4);
		expect(activity[2].data).toMatchObject({ from: 'accepted', to: 'declined', reason: expect.any(String) });
	});

	it('refuses transitions that are not allowed, upstream states, duplicates, and short reasons for any status', async () => {
		const n = await buildNeed(t.db, { group, status: 'declined', statusReason: 'Not now, maybe later.' });
		expect(await failure(changeStatus(as(chair), n.id, { status: 'accepted', reason: 'Changed our mind.' }))).toMatchObject({
			code: 'conflict',
			fields: { status: expect.stringContaining('triaged') }
		});
		expect(await failure(changeStatus(as(chair), n.id, { status: 'delivered', reason: 'Shipped in 2025.2.' }))).toMatchObject({
			code: 'invalid_input',
			fields: { status: expect.any(String) }
		});
		expect(await failure(changeStatus(as(chair), n.id, { status: 'duplicate', reason: 'Dup.' }))).toMatchObject({
			code: 'invalid_input',
			fields: { status: expect.any(String) }
		});
		expect(await failure(changeStatus(as(chair), n.id, { status: 'declined', reason: 'No.' }))).toMatchObject({
			code: 'invalid_input',
			fields: { reason: expect.any(String) }
		});
		expect(await failure(changeStatus(as(chair), n.id, { status: 'triaged', reason: '' }))).toMatchObject({
			code: 'invalid_input',
			fields: { reason: expect.any(String) }
		});
		// One rule for every status: accepting says why as a decline does (defect 10).
		const fresh = await buildNeed(t.db, { group });
		expect(await failure(changeStatus(as(chair), fresh.id, { status: 'accepted', reason: 'Y' }))).toMatchObject({
			code: 'invalid_input',
			fields: { reason: 'Say why in at least 10 characters: the reason is shown on the need.' }
		});
		expect(await failure(changeStatus(as(chair), fresh.id, untrusted({ reason: 'Reproduced twice.' })))).toMatchObject({
			code: 'invalid_input',
			fields: { status: 'Choose the new status.' }
		});
		const upstream = await buildNeed(t.db, { group, status: 'in_progress' });
		expect(await failure(changeStatus(as(chair), upstream.id, { status: 'declined', reason: 'Too slow to arrive upstream.' }))).toMatchObject({
			code: 'conflict'
		});
		const target = await buildNeed(t.db, { group });
		const dup = await buildNeed(t.db, { group, duplicateOf: target });
		expect(await failure(changeStatus(as(chair), dup.id, { status: 'triaged', reason: 'Look again.' }))).toMatchObject({ code: 'conflict' });
		expect(await t.db.selectFrom('need_status_change').select('id').where('need_id', 'in', [n.id, upstream.id, dup.id, fresh.id]).execute()).toEqual([]);
	});
});

describe('splitting', () => {
	it('makes a new need from part of one, asks its supporters, and moves nobody', async () => {
		const [s1, s2] = await people(2);
		const original = await buildNeed(t.db, {
			group,
			title: 'Upgrades break networking and storage',
			components: ['neutron', 'cinder'],
			tags: ['upgrade'],
			supporters: [s1, s2, chair]
		});
		const { created, from, notified } = await splitNeed(as(chair), original.id, {
			title: 'Upgrades break block storage attachments',
			body: 'The **storage** half.',
			kind: 'bug',
			reason: 'Two problems in one.'
		});
		expect(created).toMatchObject({ groupId: group.id, authorId: chair.id, status: 'new', supportCount: 0, tags: ['upgrade'], kind: 'bug' });
		expect(created.body).toContain(`[need #${original.id}](/needs/${original.id})`);
		expect(created.publishedAt).not.toBeNull();
		expect(from.supportCount).toBe(3);
		const components = await t.db
			.selectFrom('need_component')
			.innerJoin('component', 'component.id', 'need_component.component_id')
			.select('slug')
			.where('need_id', '=', created.id)
			.orderBy('slug')
			.execute();
		expect(components.map((c) => c.slug)).toEqual(['cinder', 'neutron']);
		expect(notified).toBe(2);
		for (const m of [s1, s2]) {
			const [n] = await notificationsOf(m, 'need.split');
			expect(n.data).toMatchObject({ fromId: original.id, newId: created.id });
		}
		expect(await supportRows(created.id)).toEqual([]);
		const history = await t.db
			.selectFrom('need_status_change')
			.select(['need_id', 'from_status', 'to_status'])
			.where('need_id', 'in', [original.id, created.id])
			.orderBy('need_id')
			.execute();
		expect(history).toEqual([
			{ need_id: original.id, from_status: 'new', to_status: 'new' },
			{ need_id: created.id, from_status: null, to_status: 'new' }
		]);
		const ours = await getNeedHistory(as(s1), created.id);
		expect(ours.find((e) => e.kind === 'split')).toMatchObject({ action: 'split_from', otherNeed: { id: original.id } });

		// The original's supporters are asked on the new need's page, until they answer by supporting it.
		expect(created.splitFromId).toBe(original.id);
		const seen = await getNeedPage(as(s1), created.id);
		expect(seen.splitFrom).toMatchObject({ id: original.id, title: original.title });
		expect(seen.viewer.supportsSplitOrigin).toBe(true);
		expect((await getNeedPage(as(await buildMember(t.db)), created.id)).viewer.supportsSplitOrigin).toBe(false);
		expect((await getNeedPage(as(null), created.id)).viewer.supportsSplitOrigin).toBe(false);
		await supportNeed(as(s1), created.id, {});
		expect((await getNeedPage(as(s1), created.id)).viewer.supportsSplitOrigin).toBe(false);
	});

	it('keeps a closed group’s split unpublished, and refuses to split a duplicate', async () => {
		const closed = await buildGroup(t.db, { visibility: 'closed', chair });
		const original = await buildNeed(t.db, { group: closed });
		const { created } = await splitNeed(as(chair), original.id, { title: 'The second half of it', kind: 'feature', reason: 'Split it.' });
		expect(created.publishedAt).toBeNull();
		const target = await buildNeed(t.db, { group });
		const dup = await buildNeed(t.db, { group, duplicateOf: target });
		expect(await failure(splitNeed(as(chair), dup.id, { title: 'The second half of it', kind: 'feature', reason: 'Split it.' }))).toMatchObject({
			code: 'conflict'
		});
		expect(await failure(splitNeed(as(chair), original.id, untrusted({ title: 'short', kind: 'nope', reason: '' })))).toMatchObject({
			code: 'invalid_input',
			fields: { title: expect.any(String), kind: expect.any(String), reason: expect.any(String) }
		});
	});
});

describe('hiding, locking and publishing', () => {
	it('hides and unhides with reasons; a hidden need is gone for readers and takes no merges', async () => {
		const reader = await buildMember(t.db);
		const n = await buildNeed(t.db, { group });
		await hideNeed(as(chair), n.id, { reason: 'Spam from a bot.' });
		expect(await need(n.id)).toMatchObject({ hidden_reason: 'Spam from a bot.', hidden_by: chair.id });
		expect(await failure(getNeedHistory(as(reader), n.id))).toMatchObject({ code: 'not_found' });
		expect(await failure(hideNeed(as(chair), n.id, { reason: 'Again.' }))).toMatchObject({ code: 'conflict' });
		await unhideNeed(as(chair), n.id, { reason: 'It was real.' });
		expect(await need(n.id)).toMatchObject({ hidden_at: null, hidden_reason: null });
		const actions = (await t.db.selectFrom('activity').select(['action', 'data']).where('subject_id', '=', n.id).orderBy('id').execute()).map((a) => [
			a.action,
			a.data.reason
		]);
		expect(actions).toEqual([
			['need.hidden', 'Spam from a bot.'],
			['need.unhidden', 'It was real.']
		]);
		// Readers do not see that it was hidden; moderators do.
		expect((await getNeedHistory(as(reader), n.id)).filter((e) => e.kind === 'moderation')).toEqual([]);
		expect((await getNeedHistory(as(chair), n.id)).filter((e) => e.kind === 'moderation').map((e) => e.action)).toEqual(['hidden', 'unhidden']);
	});

	it('locks the discussion: members cannot comment, moderators can; unlocking opens it again', async () => {
		const member = await buildMember(t.db);
		const n = await buildNeed(t.db, { group });
		await lockNeed(as(chair), n.id, { reason: 'Heated; cooling off.' });
		expect(await failure(addComment(as(member), n.id, { body: 'But!' }))).toMatchObject({ code: 'forbidden' });
		await addComment(as(chair), n.id, { body: 'Locked for a week.' });
		expect(await failure(lockNeed(as(chair), n.id, { reason: 'again' }))).toMatchObject({ code: 'conflict' });
		await unlockNeed(as(chair), n.id, { reason: 'Cooled off.' });
		await addComment(as(member), n.id, { body: 'Thanks.' });
		const history = await getNeedHistory(as(member), n.id);
		expect(history.filter((e) => e.kind === 'moderation').map((e) => [e.action, e.reason])).toEqual([
			['locked', 'Heated; cooling off.'],
			['unlocked', 'Cooled off.']
		]);
	});

	it('publishes a closed group’s need once', async () => {
		const closed = await buildGroup(t.db, { visibility: 'closed', chair });
		const outsider = await buildMember(t.db);
		const n = await buildNeed(t.db, { group: closed });
		expect(await failure(getNeedHistory(as(outsider), n.id))).toMatchObject({ code: 'not_found' });
		const published = await publishNeed(as(chair), n.id);
		expect(published.publishedAt).not.toBeNull();
		expect(await getNeedHistory(as(outsider), n.id)).toEqual([expect.objectContaining({ kind: 'moderation', action: 'published' })]);
		expect(await failure(publishNeed(as(chair), n.id))).toMatchObject({ code: 'conflict' });
		const open = await buildNeed(t.db, { group });
		expect(await failure(publishNeed(as(chair), open.id))).toMatchObject({ code: 'conflict' });
	});
});

describe('history and merge lists', () => {
	it('shows status changes, merges both ways and their undo, and leaves out needs the reader may not see', async () => {
		const closed = await buildGroup(t.db, { visibility: 'closed', chair });
		const reader = await buildMember(t.db);
		const target = await buildNeed(t.db, { group, title: 'Public target of merges' });
		const publicSource = await buildNeed(t.db, { group });
		const secretSource = await buildNeed(t.db, { group: closed });
		const m1 = await mergeNeed(as(chair), { sourceId: publicSource.id, targetId: target.id, reason: 'Public dup.' });
		await mergeNeed(as(chair), { sourceId: secretSource.id, targetId: target.id, reason: 'Secret dup.' });
		await undoMerge(as(chair), m1.merge.id);

		const readerView = await getNeedHistory(as(reader), target.id);
		expect(readerView.map((e) => [e.action, e.otherNeed?.id])).toEqual([
			['merged_from', publicSource.id],
			['unmerged_from', publicSource.id]
		]);
		const chairView = await getNeedHistory(as(chair), target.id);
		expect(chairView.map((e) => e.action)).toEqual(['merged_from', 'merged_from', 'unmerged_from']);
		const sourceView = await getNeedHistory(as(reader), publicSource.id);
		expect(sourceView.map((e) => e.action)).toEqual(['merged_into', 'status_changed', 'merge_undone', 'status_changed']);

		expect((await listMerges(as(reader), target.id)).map((m) => [m.source.id, m.undoable])).toEqual([[publicSource.id, false]]);
		const chairMerges = await listMerges(as(chair), target.id);
		expect(chairMerges.map((m) => [m.source.id, m.undoable, m.undoneAt !== null])).toEqual([
			[secretSource.id, true, false],
			[publicSource.id, false, true]
		]);
	});

	it('suggests merge targets by title among needs the moderator moderates', async () => {
		const n = await buildNeed(t.db, { group, title: 'Cinder volume attach times out' });
		const similar = await buildNeed(t.db, { group, title: 'Cinder volume attach timeout' });
		await buildNeed(t.db, { title: 'Cinder volume attach times out again' }); // no group: administrators only
		await buildNeed(t.db, { group, title: 'Keystone tokens expire early' });
		const candidates = await mergeCandidates(as(chair), n.id);
		expect(candidates.map((c) => c.id)).toEqual([similar.id]);
	});
});
