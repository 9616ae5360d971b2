import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import { addDeployment, MAX_DEPLOYMENTS, removeDeployment, updateDeployment } from './members.commands.ts';
import { buildMember } from './members.factories.ts';
import { getOwnDeployment, listDeployments } from './members.queries.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());

describe('deployments', () => {
	it('adds from form text: blank numbers are unknown, lists are comma-separated and deduplicated', async () => {
		const owner = await buildMember(t.db);
		const ctx = ctxFor(t.db, owner);
		const added = await addDeployment(ctx, {
			name: ' Production ',
			nodes: '120',
			instances: '',
			releases: '2025.1, 2025.2,,2025.1',
			components: 'nova,neutron',
			region: ''
		});
		expect(added).toMatchObject({
			name: 'Production',
			nodes: 120,
			instances: null,
			releases: ['2025.1', '2025.2'],
			components: ['nova', 'neutron'],
			region: null
		});
		expect(await listDeployments(ctx, owner.id)).toEqual([added]);
		const activity = await t.db
			.selectFrom('activity')
			.selectAll()
			.where('action', '=', 'deployment.added')
			.where('subject_id', '=', added.id)
			.executeTakeFirst();
		expect(activity?.actor_id).toBe(owner.id);
	});

	it('accepts arrays and numbers from the API and names bad fields', async () => {
		const owner = await buildMember(t.db);
		const ctx = ctxFor(t.db, owner);
		expect(await addDeployment(ctx, { name: 'Lab', nodes: 3, releases: ['2025.1'] })).toMatchObject({
			nodes: 3,
			instances: null,
			releases: ['2025.1'],
			components: []
		});
		const error = await addDeployment(ctx, untrusted({ name: '', nodes: -1, instances: 'many', releases: 5 })).catch((e) => e);
		expect(error.code).toBe('invalid_input');
		expect(Object.keys(error.fields).sort()).toEqual(['instances', 'name', 'nodes', 'releases']);
	});

	it('lets only the owner change or remove a deployment; to anyone else it does not exist', async () => {
		const owner = await buildMember(t.db);
		const other = await buildMember(t.db);
		const admin = await buildMember(t.db, { isAdmin: true });
		const d = await addDeployment(ctxFor(t.db, owner), { name: 'Edge', nodes: 10 });

		for (const who of [other, admin]) {
			// The same answer as for a number nobody has, so another member's deployments cannot be counted.
			await expect(updateDeployment(ctxFor(t.db, who), d.id, { name: 'Hijacked' })).rejects.toMatchObject({ code: 'not_found' });
			await expect(removeDeployment(ctxFor(t.db, who), d.id)).rejects.toMatchObject({ code: 'not_found' });
			await expect(removeDeployment(ctxFor(t.db, who), d.id + 1000)).rejects.toMatchObject({ code: 'not_found' });
			expect(await getOwnDeployment(ctxFor(t.db, who), d.id)).toBeUndefined();
		}
		await expect(updateDeployment(ctxFor(t.db, null), d.id, { name: 'x' })).rejects.toMatchObject({ code: 'unauthenticated' });
		expect(await getOwnDeployment(ctxFor(t.db, owner), d.id)).toMatchObject({ name: 'Edge', nodes: 10 });

		// A patch changes what it names; null clears.
		const patched = await updateDeployment(ctxFor(t.db, owner), String(d.id), { region: 'eu-west', nodes: null, components: ['nova'] });
		expect(patched).toMatchObject({ name: 'Edge', nodes: null, region: 'eu-west', components: ['nova'] });

		await removeDeployment(ctxFor(t.db, owner), d.id);
		expect(await listDeployments(ctxFor(t.db, owner), owner.id)).toEqual([]);
		await expect(removeDeployment(ctxFor(t.db, owner), d.id)).rejects.toMatchObject({ code: 'not_found' });
		await expect(updateDeployment(ctxFor(t.db, owner), 'abc', { name: 'x' })).rejects.toMatchObject({
			code: 'invalid_input',
			fields: { id: expect.any(String) }
		});
	});

	it('a refused update writes nothing', async () => {
		const owner = await buildMember(t.db);
		const d = await addDeployment(ctxFor(t.db, owner), { name: 'Core', nodes: 5 });
		await expect(updateDeployment(ctxFor(t.db, owner), d.id, { name: 'Core 2', nodes: 'x' })).rejects.toMatchObject({ code: 'invalid_input' });
		expect(await getOwnDeployment(ctxFor(t.db, owner), d.id)).toMatchObject({ name: 'Core', nodes: 5 });
	});

	it(`stops at ${MAX_DEPLOYMENTS} deployments`, async () => {
		const owner = await buildMember(t.db);
		const ctx = ctxFor(t.db, owner);
		const now = new Date();
		await t.db
			.insertInto('deployment')
			.values(
				Array.from({ length: MAX_DEPLOYMENTS }, (_, i) => ({
					member_id: owner.id,
					name: `d${i}`,
					nodes: null,
					instances: null,
					region: null,
					created_at: now,
					updated_at: now
				}))
			)
			.execute();
		await expect(addDeployment(ctx, { name: 'one more' })).rejects.toMatchObject({ code: 'conflict' });
	});
});
