import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { buildNeed } from './needs.factories.ts';
import { addComment, editComment } from './needs.comments.ts';
import { editNeed, fileNeed } from './needs.commands.ts';
import { listMyNotifications } from './needs.history.ts';
import { getNeedPage } from './needs.queries.ts';
import { publishNeed, splitNeed } from './needs.triage.ts';
import { MENTIONS_TOLD_MAX } from './needs.references.ts';

/*
 * `#123` and `@handle` in comments and descriptions (issue 11): what each reader sees, and who is told.
 */

let t: TestDatabase;
let chair: MemberRow;
let groupMember: MemberRow;
let outsider: MemberRow;
let admin: MemberRow;
let otherChair: MemberRow;
let open: GroupRow;
let closed: GroupRow;
const clock = new TestClock();

beforeAll(async () => {
	t = await createTestDatabase();
	chair = await buildMember(t.db, { handle: 'chair-c', displayName: 'Chair C' });
	groupMember = await buildMember(t.db, { handle: 'gina', displayName: 'Gina Member' });
	outsider = await buildMember(t.db, { handle: 'otto', displayName: 'Otto Outsider' });
	admin = await buildMember(t.db, { handle: 'ada', isAdmin: true });
	otherChair = await buildMember(t.db, { handle: 'oscar' });
	open = await buildGroup(t.db, { chair });
	closed = await buildGroup(t.db, { chair, visibility: 'closed' });
	// A chair of another closed group: a lead, but not of these needs.
	await buildGroup(t.db, { chair: otherChair, visibility: 'closed' });
	await addMembership(t.db, open, groupMember);
	await addMembership(t.db, closed, groupMember);
});
afterAll(() => t?.close());

const as = (who: MemberRow | null) => {
	clock.advance(60_000);
	return ctxFor(t.db, who, clock);
};

/** The `need.mentioned` notifications each member holds for a need, by handle. */
async function told(needId: number) {
	const rows = await t.db
		.selectFrom('notification')
		.innerJoin('member', 'member.id', 'notification.member_id')
		.select(['member.handle', 'notification.data'])
		.where('notification.kind', '=', 'need.mentioned')
		.where('notification.subject_id', '=', needId)
		.orderBy('notification.id')
		.execute();
	return rows.map((r) => r.handle);
}

describe('mentions in comments', () => {
	it('tell each mentioned member once per comment, never its author, and never for a mention in code', async () => {
		const need = await buildNeed(t.db, { group: open, title: 'Quota sync drifts' });
		const comment = await addComment(as(chair), need.id, {
			body: '@gina @Otto can you confirm? Not `@ada`, and not @chair-c (me), nor @nobody-here.\n\n```\n@oscar\n```'
		});
		expect((await told(need.id)).sort()).toEqual(['gina', 'otto']);
		const [notice] = await t.db
			.selectFrom('notification')
			.select(['data', 'subject_type'])
			.where('member_id', '=', groupMember.id)
			.where('kind', '=', 'need.mentioned')
			.execute();
		expect(notice).toEqual({
			subject_type: 'need',
			data: { needId: need.id, commentId: comment.id, title: 'Quota sync drifts', handle: 'chair-c', displayName: 'Chair C' }
		});

		// An edit that keeps the mentions tells nobody again; one that adds a member tells only them.
		await editComment(as(chair), comment.id, { body: '@gina @otto, can you confirm?' });
		expect(await told(need.id)).toHaveLength(2);
		await editComment(as(chair), comment.id, { body: '@gina, can you confirm? And @oscar.' });
		expect((await told(need.id)).slice(2)).toEqual(['oscar']);
		// Taking a mention out and putting it back is still the same comment: once.
		await editComment(as(chair), comment.id, { body: 'Can you confirm, @otto and @gina and @oscar?' });
		expect((await told(need.id)).sort()).toEqual(['gina', 'oscar', 'otto']);

		// Another comment is another text: its mention tells again.
		await addComment(as(outsider), need.id, { body: 'Yes @gina, and so does @chair-c.' });
		expect((await told(need.id)).slice(3).sort()).toEqual(['chair-c', 'gina']);
	});

	it('on a closed group’s need tell only those who may read it, and the others learn nothing', async () => {
		const need = await buildNeed(t.db, { group: closed, title: 'Private: the storage vendor’s firmware bug' });
		await addComment(as(chair), need.id, { body: '@otto @oscar @gina @ada please look.' });
		// The outsider and another closed group's chair may not read it; the group's member and an administrator may.
		expect((await told(need.id)).sort()).toEqual(['ada', 'gina']);
		for (const who of [outsider, otherChair]) {
			const { notifications } = await listMyNotifications(as(who));
			expect(JSON.stringify(notifications)).not.toContain('firmware');
			expect(notifications.filter((n) => n.subjectId === need.id)).toEqual([]);
		}
		const { notifications } = await listMyNotifications(as(groupMember));
		expect(notifications.find((n) => n.subjectId === need.id)).toMatchObject({ kind: 'need.mentioned', data: { title: need.title } });

		// Published later, the need is everyone's: an edit now tells the outsider, and still not twice the others.
		await publishNeed(as(chair), need.id);
		const [comment] = (await t.db.selectFrom('need_comment').select('id').where('need_id', '=', need.id).execute()).map((c) => c.id);
		await editComment(as(chair), comment, { body: '@otto @oscar @gina @ada please look again.' });
		expect((await told(need.id)).sort()).toEqual(['ada', 'gina', 'oscar', 'otto']);
	});

	it('in a hidden need tell nobody', async () => {
		const need = await buildNeed(t.db, { group: open, hiddenAt: new Date('2026-11-20T00:00:00Z'), hiddenReason: 'Spam' });
		await addComment(as(chair), need.id, { body: '@gina see this' });
		expect(await told(need.id)).toEqual([]);
	});

	it(`tell at most ${MENTIONS_TOLD_MAX} members of one comment`, async () => {
		const many = await Promise.all(Array.from({ length: MENTIONS_TOLD_MAX + 5 }, (_, i) => buildMember(t.db, { handle: `many-${i}` })));
		const need = await buildNeed(t.db, { group: open });
		await addComment(as(chair), need.id, { body: many.map((m) => `@${m.handle}`).join(' ') });
		expect(await told(need.id)).toHaveLength(MENTIONS_TOLD_MAX);
	});
});

describe('mentions in descriptions', () => {
	it('tell on filing, on an edit only those newly mentioned, and on a split those the new description names', async () => {
		const filed = await fileNeed(as(groupMember), {
			title: 'Backups of the metadata database',
			body: 'As @chair-c said at the meetup. Not @otto: this is a closed group’s need.',
			kind: 'feature',
			groupId: closed.id
		});
		expect(await told(filed.id)).toEqual(['chair-c']);
		await editNeed(as(groupMember), filed.id, { body: 'As @chair-c said at the meetup, and @ada.' });
		expect(await told(filed.id)).toEqual(['chair-c', 'ada']);
		await editNeed(as(groupMember), filed.id, { title: 'Backups of the metadata database, nightly' });
		expect(await told(filed.id)).toEqual(['chair-c', 'ada']);

		const split = await splitNeed(as(chair), filed.id, {
			title: 'Restore drills',
			body: '@gina runs these.',
			kind: 'feature',
			reason: 'A separate piece of work.'
		});
		expect(await told(split.created.id)).toEqual(['gina']);
	});
});

describe('references as each reader sees them', () => {
	it('link a need the reader may read with its title, and leave any other as the text typed', async () => {
		const secret = await buildNeed(t.db, { group: closed, title: 'Secret: the vendor’s firmware' });
		const hidden = await buildNeed(t.db, { group: open, title: 'Hidden spam need', hiddenAt: new Date('2026-11-20T00:00:00Z'), hiddenReason: 'Spam' });
		const visible = await buildNeed(t.db, { group: open, title: 'Public need' });
		const missing = 987_654_321_012;
		const need = await buildNeed(t.db, { group: open, body: `Related: #${visible.id}, #${secret.id}, #${hidden.id}, #${missing}. Ask @gina or @nobody-here.` });
		await addComment(as(groupMember), need.id, { body: `Same as #${secret.id}; \`#${visible.id}\` in code is not a link. cc @Otto` });

		const html = async (who: MemberRow | null) => {
			const page = await getNeedPage(as(who), need.id);
			return [page.need.bodyHtml, ...page.comments.map((c) => c.bodyHtml)].join('\n');
		};
		const link = (id: number, title: string) => `<a href="/needs/${id}" class="need-ref" title="${title}">#${id}</a>`;
		const gina = '<a href="/members/gina" class="member-ref" title="Gina Member">@gina</a>';
		const otto = '<a href="/members/otto" class="member-ref" title="Otto Outsider">@otto</a>';

		for (const who of [null, outsider, otherChair]) {
			const page = await html(who);
			expect(page).toContain(link(visible.id, 'Public need'));
			expect(page).toContain(gina);
			expect(page).toContain(otto);
			expect(page).not.toContain('Secret');
			expect(page).not.toContain('Hidden spam');
			expect(page).not.toContain(`href="/needs/${secret.id}"`);
			expect(page).not.toContain(`href="/needs/${hidden.id}"`);
			// A closed need reads exactly like a missing one: the text typed.
			expect(page).toContain(`#${secret.id}, #${hidden.id}, #${missing}.`);
			expect(page).toContain(`<p>Same as #${secret.id};`);
			expect(page).toContain('@nobody-here');
			expect(page).toContain(`<code>#${visible.id}</code>`);
		}
		const member = await html(groupMember);
		expect(member).toContain(link(secret.id, 'Secret: the vendor’s firmware'));
		expect(member).not.toContain('Hidden spam');
		// The group's chair moderates it, so the hidden need is theirs to read; an administrator reads everything.
		expect(await html(chair)).toContain(link(hidden.id, 'Hidden spam need'));
		expect(await html(admin)).toContain(link(secret.id, 'Secret: the vendor’s firmware'));
		expect(await html(admin)).not.toContain(`href="/needs/${missing}"`);
	});
});
