import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from './needs.factories.ts';
import { addComment, deleteComment, editComment, hideComment, listComments } from './needs.comments.ts';

let t: TestDatabase;
let chair: MemberRow;
let group: GroupRow;
const clock = new TestClock();
beforeAll(async () => {
	t = await createTestDatabase();
	chair = await buildMember(t.db);
	group = await buildGroup(t.db, { chair });
});
afterAll(() => t?.close());

const as = (who: MemberRow | null) => {
	clock.advance(60_000);
	return ctxFor(t.db, who, clock);
};
const failure = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(error: unknown) => error as { code: string; fields: Record<string, string> }
	);
const needRow = (id: number) => t.db.selectFrom('need').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('comments', () => {
	it('adds a comment: counts it and bumps the need’s updated time', async () => {
		const olga = await buildMember(t.db);
		const need = await buildNeed(t.db, { group });
		const ctx = as(olga);
		const comment = await addComment(ctx, need.id, { body: '  We see this **too**.  ' });
		expect(comment).toMatchObject({
			needId: need.id,
			author: { id: olga.id, handle: olga.handle },
			body: 'We see this **too**.',
			state: 'visible',
			editedAt: null
		});
		expect(comment.abilities).toEqual({ edit: true, delete: true, hide: false });
		expect(await needRow(need.id)).toMatchObject({ comment_count: 1, updated_at: ctx.now() });
		expect(await failure(addComment(as(olga), need.id, { body: '   ' }))).toMatchObject({ code: 'invalid_input', fields: { body: expect.any(String) } });
		expect(await failure(addComment(as(olga), need.id, { body: 'x'.repeat(10_001) }))).toMatchObject({
			code: 'invalid_input',
			fields: { body: expect.any(String) }
		});
		expect(await failure(addComment(as(null), need.id, { body: 'Hello' }))).toMatchObject({ code: 'unauthenticated' });
	});

	it('lets only the author edit, marking it edited', async () => {
		const [olga, ivan] = [await buildMember(t.db), await buildMember(t.db)];
		const need = await buildNeed(t.db, { group });
		const comment = await addComment(as(olga), need.id, { body: 'First words' });
		const ctx = as(olga);
		const edited = await editComment(ctx, comment.id, { body: 'Better words' });
		expect(edited).toMatchObject({ body: 'Better words', editedAt: ctx.now() });
		expect(await failure(editComment(as(ivan), comment.id, { body: 'Mine now' }))).toMatchObject({ code: 'forbidden' });
		expect(await failure(editComment(as(chair), comment.id, { body: 'Moderated words' }))).toMatchObject({ code: 'forbidden' });
		// The comment must belong to the need the API path names.
		const other = await buildNeed(t.db);
		expect(await failure(editComment(as(olga), comment.id, { body: 'x' }, { needId: other.id }))).toMatchObject({ code: 'not_found' });
	});

	it('deletes softly: the words stay in the row but are never shown, to anyone', async () => {
		const [olga, ivan] = [await buildMember(t.db), await buildMember(t.db)];
		const need = await buildNeed(t.db, { group });
		const comment = await addComment(as(olga), need.id, { body: 'Regrettable words' });
		expect(await failure(deleteComment(as(ivan), comment.id))).toMatchObject({ code: 'forbidden' });
		const deleted = await deleteComment(as(olga), comment.id);
		expect(deleted).toMatchObject({ state: 'deleted', body: null });
		expect((await t.db.selectFrom('need_comment').select('body').where('id', '=', comment.id).executeTakeFirstOrThrow()).body).toBe('Regrettable words');
		expect((await needRow(need.id)).comment_count).toBe(0);
		for (const who of [olga, chair, null]) {
			const { comments } = await listComments(as(who), need.id);
			expect(comments).toEqual([expect.objectContaining({ id: comment.id, state: 'deleted', body: null })]);
		}
		expect(await failure(deleteComment(as(olga), comment.id))).toMatchObject({ code: 'conflict' });
		expect(await failure(editComment(as(olga), comment.id, { body: 'Back' }))).toMatchObject({ code: 'conflict' });
		// A moderator deletes others' comments, and that is recorded.
		const spam = await addComment(as(ivan), need.id, { body: 'Buy now' });
		await deleteComment(as(chair), spam.id);
		const audit = await t.db
			.selectFrom('activity')
			.select(['action', 'actor_id', 'data'])
			.where('action', '=', 'need.comment_deleted')
			.where('subject_id', '=', need.id)
			.orderBy('id')
			.execute();
		expect(audit.map((a) => [a.actor_id, a.data.byAuthor])).toEqual([
			[olga.id, true],
			[chair.id, false]
		]);
	});

	it('hides with a reason: readers see why, moderators still see the words', async () => {
		const [olga, reader] = [await buildMember(t.db), await buildMember(t.db)];
		const need = await buildNeed(t.db, { group });
		const comment = await addComment(as(olga), need.id, { body: 'Off-topic rant' });
		expect(await failure(hideComment(as(olga), comment.id, { reason: 'I may not.' }))).toMatchObject({ code: 'forbidden' });
		expect(await failure(hideComment(as(chair), comment.id, { reason: '' }))).toMatchObject({ code: 'invalid_input', fields: { reason: expect.any(String) } });
		const hidden = await hideComment(as(chair), comment.id, { reason: 'Off topic.' });
		expect(hidden).toMatchObject({ state: 'hidden', hiddenReason: 'Off topic.', body: 'Off-topic rant' });
		expect((await needRow(need.id)).comment_count).toBe(0);
		expect((await listComments(as(reader), need.id)).comments[0]).toMatchObject({ state: 'hidden', hiddenReason: 'Off topic.', body: null });
		expect(await failure(hideComment(as(chair), comment.id, { reason: 'Again.' }))).toMatchObject({ code: 'conflict' });
		expect(await failure(editComment(as(olga), comment.id, { body: 'Nicer' }))).toMatchObject({ code: 'conflict' });
		const row = await t.db.selectFrom('need_comment').selectAll().where('id', '=', comment.id).executeTakeFirstOrThrow();
		expect(row).toMatchObject({ hidden_reason: 'Off topic.', hidden_by: chair.id });
	});

	it('keeps a closed group’s comments from outsiders, as if the need did not exist', async () => {
		const closed = await buildGroup(t.db, { visibility: 'closed', chair });
		const [insider, outsider] = [await buildMember(t.db), await buildMember(t.db)];
		await addMembership(t.db, closed, insider);
		const need = await buildNeed(t.db, { group: closed });
		const comment = await addComment(as(insider), need.id, { body: 'Internal detail' });
		for (const who of [outsider, null]) {
			expect(await failure(listComments(as(who), need.id))).toMatchObject({ code: 'not_found' });
		}
		expect(await failure(addComment(as(outsider), need.id, { body: 'Let me in' }))).toMatchObject({ code: 'not_found' });
		expect(await failure(editComment(as(outsider), comment.id, { body: 'x' }))).toMatchObject({ code: 'not_found' });
		expect(await failure(deleteComment(as(outsider), comment.id))).toMatchObject({ code: 'not_found' });
		expect(await failure(hideComment(as(outsider), comment.id, { reason: 'Because.' }))).toMatchObject({ code: 'not_found' });
		expect((await listComments(as(insider), need.id)).comments).toHaveLength(1);
	});

	it('pages through comments, oldest first', async () => {
		const olga = await buildMember(t.db);
		const need = await buildNeed(t.db);
		for (let i = 0; i < 5; i++) await addComment(as(olga), need.id, { body: `Comment ${i}` });
		const first = await listComments(as(null), need.id, { limit: 3 });
		expect(first.comments.map((c) => c.body)).toEqual(['Comment 0', 'Comment 1', 'Comment 2']);
		const second = await listComments(as(null), need.id, { after: first.next, limit: 3 });
		expect(second).toMatchObject({ next: null });
		expect(second.comments.map((c) => c.body)).toEqual(['Comment 3', 'Comment 4']);
	});

	it('counts exactly when many comment at once', async () => {
		const need = await buildNeed(t.db);
		const members = await Promise.all(Array.from({ length: 12 }, () => buildMember(t.db)));
		await Promise.all(members.map((m) => addComment(as(m), need.id, { body: `From ${m.handle}` })));
		expect((await needRow(need.id)).comment_count).toBe(12);
	});
});
