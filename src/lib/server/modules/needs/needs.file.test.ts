import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { untrusted } from '#lib/server/platform/errors.ts';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { addDeployment } from '#lib/server/modules/members/members.commands.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { createComponent, editNeed, fileNeed, updateComponent } from './needs.commands.ts';
import { buildComponent, buildNeed } from './needs.factories.ts';
import { UNLISTED_NEED_IDS } from './needs.ids.ts';
import { getNeedPage, listComponents } from './needs.queries.ts';
import type { FileNeedInput } from './needs.schemas.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
	await buildComponent(t.db, { slug: 'nova', name: 'Compute (Nova)' });
	await buildComponent(t.db, { slug: 'neutron', name: 'Networking (Neutron)' });
});
afterAll(() => t?.close());

/** Row counts of every table a filing writes to. */
async function counts() {
	const result = await sql<{ name: string; n: number }>`
		select 'need' as name, count(*)::int as n from need union all
		select 'support', count(*)::int from support union all
		select 'need_follow', count(*)::int from need_follow union all
		select 'need_component', count(*)::int from need_component union all
		select 'activity', count(*)::int from activity`.execute(t.db);
	return Object.fromEntries(result.rows.map((r) => [r.name, r.n]));
}

const valid = {
	title: 'Live migration fails between NUMA nodes',
	body: 'When we **live-migrate** an instance pinned to NUMA node 1 the migration aborts.',
	kind: 'bug',
	components: 'nova, neutron',
	tags: 'NUMA, live-migration',
	releases: '2025.1'
} satisfies FileNeedInput;

describe('filing a need', () => {
	it('files it: the author supports and follows it, components are attached, the filing is recorded', async () => {
		const author = await buildMember(t.db);
		const need = await fileNeed(ctxFor(t.db, author), valid);
		expect(need).toMatchObject({
			title: valid.title,
			kind: 'bug',
			status: 'new',
			supportCount: 1,
			authorId: author.id,
			groupId: null,
			tags: ['numa', 'live-migration'],
			releases: ['2025.1']
		});
		expect(need.publishedAt).not.toBeNull();

		const page = await getNeedPage(ctxFor(t.db, author), need.id);
		expect(page.need.components.map((c) => c.slug)).toEqual(['nova', 'neutron']);
		expect(page.need.bodyHtml).toContain('<strong>live-migrate</strong>');
		expect(page.viewer).toMatchObject({ supports: { deploymentId: null, impact: null }, follows: true });
		expect(page.counts.supporters).toBe(1);
		const activity = await t.db
			.selectFrom('activity')
			.selectAll()
			.where('action', '=', 'need.filed')
			.where('subject_id', '=', need.id)
			.executeTakeFirstOrThrow();
		expect(activity).toMatchObject({ actor_id: author.id, group_id: null });
	});

	it("cites the filer's own deployment in their support, and refuses someone else's without writing anything", async () => {
		const author = await buildMember(t.db);
		const other = await buildMember(t.db);
		const mine = await addDeployment(ctxFor(t.db, author), { name: 'Frankfurt', nodes: 640, instances: 9000 });
		const theirs = await addDeployment(ctxFor(t.db, other), { name: 'Elsewhere', nodes: 3 });
		const need = await fileNeed(ctxFor(t.db, author), { ...valid, title: 'Evacuations take hours on large hypervisors', deploymentId: mine.id });
		expect(need).toMatchObject({ supportCount: 1, deploymentCount: 1, deploymentNodes: 640 });
		const page = await getNeedPage(ctxFor(t.db, author), need.id);
		expect(page.viewer.supports).toMatchObject({ deploymentId: mine.id });

		const title = 'Someone else’s deployment as my evidence';
		const refused = await fileNeed(ctxFor(t.db, author), { ...valid, title, deploymentId: String(theirs.id) }).catch((e) => e);
		expect(refused).toMatchObject({ code: 'invalid_input', fields: { deploymentId: 'Pick one of your own deployments.' } });
		expect(await t.db.selectFrom('need').select('id').where('title', '=', title).executeTakeFirst()).toBeUndefined();
	});

	it('accepts the API shape: arrays, a group id as a number, a source with a link', async () => {
		const author = await buildMember(t.db);
		const group = await buildGroup(t.db);
		const need = await fileNeed(ctxFor(t.db, author), {
			title: 'Document the cells v2 upgrade path',
			kind: 'documentation',
			components: ['NOVA'],
			groupId: group.id,
			sourceChannel: 'mailing_list',
			sourceUrl: 'https://lists.example.org/thread/42'
		});
		expect(need).toMatchObject({ groupId: group.id, sourceChannel: 'mailing_list', sourceUrl: 'https://lists.example.org/thread/42' });
		expect(need.publishedAt).not.toBeNull();
		const activity = await t.db
			.selectFrom('activity')
			.selectAll()
			.where('action', '=', 'need.filed')
			.where('subject_id', '=', need.id)
			.executeTakeFirstOrThrow();
		expect(activity.group_id).toBe(group.id);
	});

	it('refuses bad input with field errors and writes nothing', async () => {
		const author = await buildMember(t.db);
		const ctx = ctxFor(t.db, author);
		const before = await counts();
		const cases: [Record<string, unknown>, string[]][] = [
			[{ ...valid, title: 'short' }, ['title']],
			[{ ...valid, title: 'x'.repeat(201) }, ['title']],
			[{ ...valid, body: 'x'.repeat(20_001) }, ['body']],
			[{ ...valid, kind: 'wish' }, ['kind']],
			[{ ...valid, components: 'nova, cinder-typo' }, ['components']],
			[{ ...valid, sourceChannel: 'vendor_relay' }, ['sourceNote']],
			[{ ...valid, sourceChannel: 'session', sourceUrl: 'javascript:alert(1)' }, ['sourceUrl']],
			[{ ...valid, groupId: 99999999 }, ['groupId']],
			[{ ...valid, groupId: 'abc' }, ['groupId']]
		];
		for (const [input, fields] of cases) {
			const error = await fileNeed(ctx, untrusted(input)).catch((e) => e);
			expect(error.code, JSON.stringify(input).slice(0, 80)).toBe('invalid_input');
			expect(Object.keys(error.fields)).toEqual(fields);
		}
		expect((await fileNeed(ctx, { ...valid, components: 'nova, cinder-typo' }).catch((e) => e)).fields.components).toContain('cinder-typo');
		expect(await counts()).toEqual(before);
	});

	it('asks visitors to sign in', async () => {
		await expect(fileNeed(ctxFor(t.db, null), valid)).rejects.toMatchObject({ code: 'unauthenticated' });
	});

	it('a closed group takes needs from its members only, and keeps them unpublished', async () => {
		const chair = await buildMember(t.db);
		const outsider = await buildMember(t.db);
		const requested = await buildMember(t.db);
		const group = await buildGroup(t.db, { visibility: 'closed', chair });
		await addMembership(t.db, group, requested, { state: 'requested' });
		const before = await counts();
		for (const who of [outsider, requested]) {
			const error = await fileNeed(ctxFor(t.db, who), { ...valid, groupId: group.id }).catch((e) => e);
			expect(error).toMatchObject({ code: 'forbidden', fields: { groupId: expect.any(String) } });
		}
		expect(await counts()).toEqual(before);

		const need = await fileNeed(ctxFor(t.db, chair), { ...valid, groupId: String(group.id) });
		expect(need.publishedAt).toBeNull();
		await expect(getNeedPage(ctxFor(t.db, outsider), need.id)).rejects.toMatchObject({ code: 'not_found' });
		const admin = await buildMember(t.db, { isAdmin: true });
		expect((await fileNeed(ctxFor(t.db, admin), { ...valid, groupId: group.id })).publishedAt).toBeNull();
	});

	it('needs of a closed group take random unlisted ids, so the public ids have no gaps that count them', async () => {
		const chair = await buildMember(t.db);
		const group = await buildGroup(t.db, { visibility: 'closed', chair });
		const ids: number[] = [];
		for (const groupId of [null, group.id, group.id, null, group.id, null]) ids.push((await fileNeed(ctxFor(t.db, chair), { ...valid, groupId })).id);
		const [first, hidden1, hidden2, second, hidden3, third] = ids;
		expect([second - first, third - second]).toEqual([1, 1]);
		for (const id of [hidden1, hidden2, hidden3]) {
			expect(id).toBeGreaterThanOrEqual(UNLISTED_NEED_IDS.min);
			expect(id).toBeLessThan(UNLISTED_NEED_IDS.max);
			expect(Number.isSafeInteger(id)).toBe(true);
		}
		expect(new Set(ids).size).toBe(ids.length);
	});
});

describe('editing a need', () => {
	it('the author edits; fields left out stay; the history keeps what changed', async () => {
		const author = await buildMember(t.db);
		const need = await fileNeed(ctxFor(t.db, author), valid);
		const edited = await editNeed(ctxFor(t.db, author), need.id, { title: 'Live migration fails across NUMA nodes', components: ['nova'] });
		expect(edited).toMatchObject({ title: 'Live migration fails across NUMA nodes', body: valid.body, kind: 'bug', tags: ['numa', 'live-migration'] });
		const page = await getNeedPage(ctxFor(t.db, author), need.id);
		expect(page.need.components.map((c) => c.slug)).toEqual(['nova']);
		const history = await t.db
			.selectFrom('activity')
			.selectAll()
			.where('action', '=', 'need.edited')
			.where('subject_id', '=', need.id)
			.executeTakeFirstOrThrow();
		expect(history.data).toEqual({
			changes: {
				title: { from: valid.title, to: 'Live migration fails across NUMA nodes' },
				components: { from: ['neutron', 'nova'], to: ['nova'] }
			}
		});
		// Nothing changed: nothing recorded.
		await editNeed(ctxFor(t.db, author), need.id, { title: 'Live migration fails across NUMA nodes' });
		expect(await t.db.selectFrom('activity').select('id').where('action', '=', 'need.edited').where('subject_id', '=', need.id).execute()).toHaveLength(1);
	});

	it('others may not edit; moderators may; a locked need is the moderators’ alone; a refused edit writes nothing', async () => {
		const author = await buildMember(t.db);
		const other = await buildMember(t.db);
		const moderator = await buildMember(t.db);
		const group = await buildGroup(t.db);
		await addMembership(t.db, group, moderator, { role: 'moderator' });
		const need = await fileNeed(ctxFor(t.db, author), { ...valid, groupId: group.id });

		await expect(editNeed(ctxFor(t.db, other), need.id, { title: 'Hijacked title here' })).rejects.toMatchObject({ code: 'forbidden' });
		await expect(editNeed(ctxFor(t.db, null), need.id, { title: 'Hijacked title here' })).rejects.toMatchObject({ code: 'unauthenticated' });
		await expect(editNeed(ctxFor(t.db, author), need.id, { title: 'tiny' })).rejects.toMatchObject({
			code: 'invalid_input',
			fields: { title: expect.any(String) }
		});
		await expect(editNeed(ctxFor(t.db, author), need.id, { components: ['nope'] })).rejects.toMatchObject({
			code: 'invalid_input',
			fields: { components: expect.any(String) }
		});
		await expect(editNeed(ctxFor(t.db, author), need.id, { sourceChannel: 'vendor_relay' })).rejects.toMatchObject({
			fields: { sourceNote: expect.any(String) }
		});
		expect((await getNeedPage(ctxFor(t.db, author), need.id)).need.title).toBe(valid.title);

		expect(await editNeed(ctxFor(t.db, moderator), need.id, { kind: 'pain_point' })).toMatchObject({ kind: 'pain_point' });
		await t.db.updateTable('need').set({ locked_at: new Date() }).where('id', '=', need.id).execute();
		await expect(editNeed(ctxFor(t.db, author), need.id, { body: 'more' })).rejects.toMatchObject({ code: 'forbidden' });
		expect(await editNeed(ctxFor(t.db, moderator), need.id, { body: 'Moderated wording.' })).toMatchObject({ body: 'Moderated wording.' });
	});

	it('answers not_found for a need the editor may not read', async () => {
		const chair = await buildMember(t.db);
		const outsider = await buildMember(t.db);
		const group = await buildGroup(t.db, { visibility: 'closed', chair });
		const need = await buildNeed(t.db, { group, author: outsider });
		await expect(editNeed(ctxFor(t.db, outsider), need.id, { title: 'Changed from outside' })).rejects.toMatchObject({ code: 'not_found' });
		await expect(editNeed(ctxFor(t.db, outsider), 0, { title: 'Changed from outside' })).rejects.toMatchObject({ code: 'not_found' });
	});
});

describe('the component taxonomy', () => {
	it('administrators create and change components; a taken slug is a field error', async () => {
		const admin = await buildMember(t.db, { isAdmin: true });
		const member = await buildMember(t.db);
		const ctx = ctxFor(t.db, admin);
		const cinder = await createComponent(ctx, { name: 'Block storage (Cinder)', slug: 'Cinder', description: 'Volumes.' });
		expect(cinder).toMatchObject({ slug: 'cinder', name: 'Block storage (Cinder)' });
		await expect(createComponent(ctx, { name: 'Again', slug: 'cinder' })).rejects.toMatchObject({ code: 'conflict', fields: { slug: expect.any(String) } });
		await expect(createComponent(ctx, { name: 'X', slug: 'bad slug!' })).rejects.toMatchObject({
			code: 'invalid_input',
			fields: { name: expect.any(String), slug: expect.any(String) }
		});
		await expect(createComponent(ctxFor(t.db, member), { name: 'Glance', slug: 'glance' })).rejects.toMatchObject({ code: 'forbidden' });
		await expect(createComponent(ctxFor(t.db, null), { name: 'Glance', slug: 'glance' })).rejects.toMatchObject({ code: 'unauthenticated' });

		const renamed = await updateComponent(ctx, cinder.id, { name: 'Cinder', slug: 'block-storage' });
		// Fields left out keep their values.
		expect(renamed).toMatchObject({ id: cinder.id, slug: 'block-storage', name: 'Cinder', description: 'Volumes.' });
		await expect(updateComponent(ctx, cinder.id, { name: 'Nova', slug: 'nova' })).rejects.toMatchObject({ code: 'conflict' });
		await expect(updateComponent(ctx, 99999999, { name: 'Nova', slug: 'nova2' })).rejects.toMatchObject({ code: 'not_found' });
		await expect(updateComponent(ctxFor(t.db, member), cinder.id, { name: 'Mine', slug: 'mine' })).rejects.toMatchObject({ code: 'forbidden' });
		expect((await listComponents(ctx)).map((c) => c.slug)).toContain('block-storage');
		const log = await t.db.selectFrom('activity').select('action').where('subject_type', '=', 'component').where('subject_id', '=', cinder.id).execute();
		expect(log.map((l) => l.action)).toEqual(['component.created', 'component.updated']);
	});
});
