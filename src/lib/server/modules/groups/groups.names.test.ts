import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor } from '#lib/server/testing/context.ts';
import { buildGroup } from './groups.factories.ts';
import { findGroupsNamed } from './groups.queries.ts';

let t: TestDatabase;
beforeAll(async () => {
	t = await createTestDatabase();
});
afterAll(() => t?.close());

describe('finding a group by what someone typed', () => {
	it('takes the address or the name in any case, the address first, and tells a shared name by returning two', async () => {
		await buildGroup(t.db, { slug: 'large-scale-sig', name: 'Large Scale SIG' });
		await buildGroup(t.db, { slug: 'edge', name: 'Edge Computing', visibility: 'closed' });
		await buildGroup(t.db, { slug: 'edge-computing', name: 'edge' });
		await buildGroup(t.db, { slug: 'ops-a', name: 'Operators' });
		await buildGroup(t.db, { slug: 'ops-b', name: 'operators' });
		const find = (text: string) => findGroupsNamed(ctxFor(t.db, null), text);

		expect(await find('large-scale-sig')).toEqual([{ slug: 'large-scale-sig', name: 'Large Scale SIG' }]);
		expect(await find('  large scale sig ')).toEqual([{ slug: 'large-scale-sig', name: 'Large Scale SIG' }]);
		expect(await find('LARGE-SCALE-SIG')).toEqual([{ slug: 'large-scale-sig', name: 'Large Scale SIG' }]);
		// A closed group's name and address are public; the address wins over another group's name.
		expect((await find('Edge'))[0]).toEqual({ slug: 'edge', name: 'Edge Computing' });
		expect((await find('edge computing')).map((g) => g.slug)).toEqual(['edge']);
		expect((await find('Operators')).map((g) => g.slug)).toEqual(['ops-a', 'ops-b']);
		expect(await find('no such group')).toEqual([]);
		expect(await find('   ')).toEqual([]);
	});
});
