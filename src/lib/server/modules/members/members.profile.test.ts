import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import { updateProfile } from './members.commands.ts';
import { buildMember } from './members.factories.ts';
import { getAccount, getMemberByHandle, listMembers } from './members.queries.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());

const activityCount = async () =>
	Number(
		(
			await t.db
				.selectFrom('activity')
				.select((eb) => eb.fn.countAll().as('n'))
				.executeTakeFirstOrThrow()
		).n
	);

describe('profile', () => {
	it('updates the whole profile from a form and records the change', async () => {
		const ana = await buildMember(t.db, { handle: 'ana-p', segments: [] });
		const before = await activityCount();
		const account = await updateProfile(ctxFor(t.db, ana), {
			displayName: '  Ana Lima ',
			handle: 'Ana-Lima',
			organization: 'CERN',
			segments: ['operator', 'security', 'operator'],
			bio: 'Runs **nova** at scale.'
		});
		expect(account).toMatchObject({
			displayName: 'Ana Lima',
			handle: 'ana-lima',
			organization: 'CERN',
			segments: ['operator', 'security'],
			bio: 'Runs **nova** at scale.'
		});
		expect(await getMemberByHandle(ctxFor(t.db, null), 'ana-lima')).toMatchObject({ id: ana.id });
		expect(await activityCount()).toBe(before + 1);
		const entry = await t.db.selectFrom('activity').selectAll().orderBy('id', 'desc').executeTakeFirstOrThrow();
		expect(entry).toMatchObject({ action: 'member.updated_profile', actor_id: ana.id, subject_id: ana.id });
		expect(entry.data).toMatchObject({ previousHandle: 'ana-p' });
	});

	it('changes only the fields sent, and a blank organization clears it', async () => {
		const bo = await buildMember(t.db, { handle: 'bo-p', organization: 'Acme', segments: ['vendor'] });
		await updateProfile(ctxFor(t.db, bo), { bio: 'Hello' });
		expect(await getAccount(ctxFor(t.db, bo), bo.id)).toMatchObject({ handle: 'bo-p', organization: 'Acme', segments: ['vendor'], bio: 'Hello' });
		await updateProfile(ctxFor(t.db, bo), { organization: '  ' });
		expect((await getAccount(ctxFor(t.db, bo), bo.id))!.organization).toBeNull();
	});

	it('refuses a taken handle with a field error and changes nothing', async () => {
		await buildMember(t.db, { handle: 'taken-p' });
		const cy = await buildMember(t.db, { handle: 'cy-p', displayName: 'Cy', organization: 'Old', segments: ['developer'] });
		const before = await activityCount();
		const error = await updateProfile(ctxFor(t.db, cy), {
			displayName: 'Cy Changed',
			handle: 'TAKEN-P',
			organization: 'New',
			segments: ['operator'],
			bio: 'new bio'
		}).catch((e) => e);
		expect(error).toMatchObject({ code: 'conflict', fields: { handle: expect.any(String) } });
		expect(await getAccount(ctxFor(t.db, cy), cy.id)).toMatchObject({
			displayName: 'Cy',
			handle: 'cy-p',
			organization: 'Old',
			segments: ['developer'],
			bio: ''
		});
		expect(await activityCount()).toBe(before);
	});

	it('names every bad field and needs a signed-in member', async () => {
		const dee = await buildMember(t.db, { handle: 'dee-p' });
		const error = await updateProfile(ctxFor(t.db, dee), untrusted({ displayName: '', handle: '-x', segments: ['astronaut'], bio: 'x'.repeat(2001) })).catch(
			(e) => e
		);
		expect(error.code).toBe('invalid_input');
		expect(Object.keys(error.fields).sort()).toEqual(['bio', 'displayName', 'handle', 'segments.0']);
		await expect(updateProfile(ctxFor(t.db, null), { bio: 'x' })).rejects.toMatchObject({ code: 'unauthenticated' });
	});

	it('lists members by handle with search, segment filter and a keyset cursor, without e-mails', async () => {
		for (const [handle, organization, segments] of [
			['zz-list-a', 'Stack Corp', ['operator']],
			['zz-list-b', 'Other', ['developer']],
			['zz-list-c', 'Stack Corp', ['operator', 'developer']],
			['zz-list-d', '100%_Real', ['end_user']]
		] as const) {
			await buildMember(t.db, { handle, organization, segments: [...segments] });
		}
		const ctx = ctxFor(t.db, null);
		const first = await listMembers(ctx, { query: 'stack corp', limit: 1 });
		expect(first.members.map((m) => m.handle)).toEqual(['zz-list-a']);
		expect(first.next).toBe('zz-list-a');
		const second = await listMembers(ctx, { query: 'stack corp', limit: 1, after: first.next! });
		expect(second.members.map((m) => m.handle)).toEqual(['zz-list-c']);
		expect(second.next).toBeNull();
		expect((await listMembers(ctx, { query: 'zz-list', segment: 'developer' })).members.map((m) => m.handle)).toEqual(['zz-list-b', 'zz-list-c']);
		// Wildcards in the search are literal.
		expect((await listMembers(ctx, { query: '%_' })).members.map((m) => m.handle)).toEqual(['zz-list-d']);
		expect(first.members[0]).not.toHaveProperty('email');
	});
});
