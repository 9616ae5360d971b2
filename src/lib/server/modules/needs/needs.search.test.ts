import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '#lib/server/testing/database.ts';
import { ctxFor, TestClock } from '#lib/server/testing/context.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { addMembership, buildGroup } from '#lib/server/modules/groups/groups.factories.ts';
import { buildNeed } from './needs.factories.ts';
import { listBoard, similarNeeds, type BoardInput, type BoardRow } from './needs.queries.ts';
import { analyseSearch, searchMatches } from './needs.search.ts';
import type { NeedRow } from './needs.tables.ts';

/*
 * The board's search and the similar-need suggestion: one matching rule (needs.search.ts), on both
 * engines. Words match by stem, by their beginning and, in titles, by a near spelling; relevance ranks
 * titles above descriptions and closer matches first; nothing a reader may not read shows or counts.
 */

let t: TestDatabase;
const clock = new TestClock(new Date('2026-12-01T12:00:00Z'));
const ctx = (who: MemberRow | null) => ctxFor(t.db, who, clock);

let people: MemberRow[];
let outsider: MemberRow;
let insider: MemberRow;
let admin: MemberRow;
const n = {} as Record<
	| 'rabbitExact'
	| 'rabbitmqCluster'
	| 'rabbitmqUpgrade'
	| 'bodyRabbit'
	| 'bodyRabbitmq'
	| 'liveMigration'
	| 'migrationOfLive'
	| 'migrationBodyLive'
	| 'volumeMigration'
	| 'secretRabbitmq'
	| 'hiddenRabbitmq'
	| 'publicNear'
	| 'secretWord',
	NeedRow
>;

beforeAll(async () => {
	t = await createTestDatabase();
	people = await Promise.all(Array.from({ length: 5 }, () => buildMember(t.db)));
	[outsider, insider, admin] = await Promise.all([buildMember(t.db), buildMember(t.db), buildMember(t.db, { isAdmin: true })]);
	const closed = await buildGroup(t.db, { visibility: 'closed', slug: 'search-secret' });
	await addMembership(t.db, closed, insider);
	const supporters = (k: number) => people.slice(0, k);

	n.rabbitExact = await buildNeed(t.db, { title: 'Rabbit hole: scheduler retries forever', supporters: supporters(0) });
	n.rabbitmqCluster = await buildNeed(t.db, { title: 'RabbitMQ cluster loses messages on failover', supporters: supporters(3) });
	n.rabbitmqUpgrade = await buildNeed(t.db, { title: 'Kolla Ansible: the RabbitMQ upgrade needs manual steps', supporters: supporters(1) });
	n.bodyRabbit = await buildNeed(t.db, { title: 'Notifications arrive late', body: 'A rabbit chewed the cable, and so on.', supporters: supporters(5) });
	n.bodyRabbitmq = await buildNeed(t.db, { title: 'Heartbeats time out', body: 'Seen whenever RabbitMQ restarts.', supporters: supporters(5) });
	n.liveMigration = await buildNeed(t.db, { title: 'Live migration fails between NUMA nodes', supporters: supporters(0) });
	n.migrationOfLive = await buildNeed(t.db, { title: 'Migration of live volumes is slow', supporters: supporters(2) });
	n.migrationBodyLive = await buildNeed(t.db, { title: 'Cold migration loses the port binding', body: 'Also when live.', supporters: supporters(4) });
	n.volumeMigration = await buildNeed(t.db, { title: 'Volume migration between backends', supporters: supporters(1) });
	// Never shown to outsiders: an unpublished need of a closed group and a hidden one.
	n.secretRabbitmq = await buildNeed(t.db, { group: closed, title: 'RabbitMQ credentials leak in the closed group', body: 'Xylophone.' });
	n.hiddenRabbitmq = await buildNeed(t.db, { title: 'RabbitMQ spam, hidden', hiddenAt: clock.now(), hiddenReason: 'Spam' });
	// A word only the closed group's need has, and a public need with a near spelling of it.
	n.secretWord = await buildNeed(t.db, { group: closed, title: 'Quetzalcoatl firmware bricks the hosts' });
	n.publicNear = await buildNeed(t.db, { title: 'Quetzalcoatel firmware update fails' });
});
afterAll(() => t?.close());

/** Every row of a search, page by page. */
async function walk(who: MemberRow | null, input: BoardInput, limit = 100): Promise<BoardRow[]> {
	const rows: BoardRow[] = [];
	let cursor = '';
	for (let page = 0; page < 50; page++) {
		const board = await listBoard(ctx(who), { ...input, limit, cursor });
		rows.push(...board.needs);
		if (!board.nextCursor) return rows;
		expect(board.needs).toHaveLength(limit);
		cursor = board.nextCursor;
	}
	throw new Error('too many pages');
}
const ids = (rows: { id: number }[]) => rows.map((r) => r.id);
const search = async (q: string, who: MemberRow | null = null, input: BoardInput = {}) => ids(await walk(who, { q, ...input }));

describe('board search: parts of words and near spellings', () => {
	it('finds a word by its beginning: rabbit finds RabbitMQ, in titles and descriptions', async () => {
		const found = await search('rabbit');
		expect(found).toEqual(expect.arrayContaining([n.rabbitExact.id, n.rabbitmqCluster.id, n.rabbitmqUpgrade.id, n.bodyRabbit.id, n.bodyRabbitmq.id]));
		expect(found).toHaveLength(5);
		expect(await search('rabbitmq')).toEqual([n.rabbitmqCluster.id, n.rabbitmqUpgrade.id, n.bodyRabbitmq.id]);
		expect(await search('migra')).toEqual(expect.arrayContaining([n.liveMigration.id, n.volumeMigration.id]));
		// Stems still match whole words: "migrations" finds "migration", "fail" finds "fails".
		expect(await search('migrations live')).toHaveLength(3);
		expect(await search('fail numa')).toEqual([n.liveMigration.id]);
	});

	it('finds near spellings in titles: rabbtmq, migraton', async () => {
		expect(await search('rabbtmq')).toEqual([n.rabbitmqCluster.id, n.rabbitmqUpgrade.id]);
		expect(await search('migraton')).toEqual(expect.arrayContaining([n.liveMigration.id, n.migrationOfLive.id, n.migrationBodyLive.id, n.volumeMigration.id]));
		// Both titles hold both words, one of them nearly: the more supported first; a word in the description last.
		expect(await search('live migraton')).toEqual([n.migrationOfLive.id, n.liveMigration.id, n.migrationBodyLive.id]);
		expect(await search('Rabbtmq clustr')).toEqual([n.rabbitmqCluster.id]);
		// Four letters are too few to guess from, and a nonsense word matches nothing.
		expect(await search('rabt')).toEqual([]);
		expect(await search('xqzzyvw')).toEqual([]);
	});

	it('takes a word spelt as a title spells it as meant: no near spellings for it', async () => {
		await buildNeed(t.db, { title: 'Clustr is a word in this title' });
		expect(await search('clustr')).toHaveLength(1);
		await t.db.deleteFrom('need').where('title', '=', 'Clustr is a word in this title').execute();
		expect(await search('clustr')).toEqual([n.rabbitmqCluster.id]);
	});

	it('ranks title matches above description matches, closer matches first, then supporters', async () => {
		// Same stem in a title, a beginning in a title (by supporters), the word in a description, its beginning there.
		expect(await search('rabbit')).toEqual([n.rabbitExact.id, n.rabbitmqCluster.id, n.rabbitmqUpgrade.id, n.bodyRabbit.id, n.bodyRabbitmq.id]);
		// Both words in the title, side by side in the typed order first; a word only in the description last.
		expect(await search('live migration')).toEqual([n.liveMigration.id, n.migrationOfLive.id, n.migrationBodyLive.id]);
		// A near spelling in a title ranks above the word itself in a description.
		const near = await buildNeed(t.db, { title: 'Nova agent rstarts at night' });
		try {
			expect(await search('restarts')).toEqual([near.id, n.bodyRabbitmq.id]);
		} finally {
			await t.db.deleteFrom('need').where('id', '=', near.id).execute();
		}
	});

	it('keeps relevance across pages: no duplicates or gaps, the same order as one page', async () => {
		const whole = await search('rabbit', null, { sort: 'relevance' });
		for (const limit of [1, 2, 3]) expect(ids(await walk(null, { q: 'rabbit' }, limit))).toEqual(whole);
		const migration = await search('migraton');
		for (const limit of [1, 3]) expect(ids(await walk(null, { q: 'migraton' }, limit))).toEqual(migration);
	});

	it('keeps another sort when asked: the same needs, in that order', async () => {
		const top = await walk(null, { q: 'rabbit', sort: 'top' }, 2);
		expect(ids(top).sort()).toEqual((await search('rabbit')).sort());
		expect(top.map((r) => r.supportCount)).toEqual([...top.map((r) => r.supportCount)].sort((a, b) => b - a));
	});

	it('reads phrases, exclusions and alternatives as web search does', async () => {
		expect(await search('"live migration"')).toEqual([n.liveMigration.id]);
		expect(await search('migration -live')).toEqual([n.volumeMigration.id]);
		expect(await search('migration -"live migration"')).toEqual(expect.not.arrayContaining([n.liveMigration.id]));
		expect((await search('numa or heartbeats')).sort()).toEqual([n.liveMigration.id, n.bodyRabbitmq.id].sort());
		// A near spelling counts only where it is one, when a need may be found by another alternative.
		expect(await search('numa or rabbtmq')).toEqual([n.liveMigration.id, n.rabbitmqCluster.id, n.rabbitmqUpgrade.id]);
	});

	it('finds nothing for stop words, punctuation or exclusions alone', async () => {
		for (const q of ['the', '-rabbit', '?!', 'or']) expect(await search(q)).toEqual([]);
	});
});

describe('the suggestion agrees with the board', () => {
	it('finds by the same rule: what it suggests, the board search for the same words finds', async () => {
		for (const q of ['rabbit', 'rabbitmq', 'Rabbtmq', 'migraton', 'Live migrat', 'live migraton', 'rabbitmq cluster', 'volume migration']) {
			const suggested = ids(await similarNeeds(ctx(null), q, { limit: 20 }));
			expect(suggested.length, q).toBeGreaterThan(0);
			expect(await search(q), q).toEqual(expect.arrayContaining(suggested));
		}
	});

	it('suggests for one word every need the board finds by that word in a title', async () => {
		const inTitle = (id: number) => id !== n.bodyRabbit.id && id !== n.bodyRabbitmq.id;
		for (const q of ['rabbit', 'rabbtmq', 'migraton']) {
			const board = (await search(q)).filter(inTitle);
			expect(ids(await similarNeeds(ctx(null), q, { limit: 20 })).sort(), q).toEqual(board.sort());
		}
	});
});

describe('nothing leaks through a search', () => {
	const everything = ['rabbit', 'rabbitmq', 'rabbtmq', 'credentials', 'xylophone', 'quetzalcoatl', '"RabbitMQ credentials"'];

	it('an outsider, a visitor: no closed-group unpublished need and no hidden need, in any sort or suggestion', async () => {
		for (const who of [null, outsider]) {
			for (const q of everything) {
				const sorts = ['', 'top', 'new', 'trending'] as const;
				const [suggested, ...boards] = await Promise.all([
					similarNeeds(ctx(who), q, { limit: 20 }).then(ids),
					...sorts.map((sort) => search(q, who, { sort, status: 'all' }))
				]);
				for (const found of [suggested, ...boards]) {
					expect(found, q).not.toContain(n.secretRabbitmq.id);
					expect(found, q).not.toContain(n.hiddenRabbitmq.id);
					expect(found, q).not.toContain(n.secretWord.id);
				}
			}
		}
	});

	it('the group’s member finds its need; moderators find the hidden one on the board', async () => {
		expect(await search('rabbit', insider)).toContain(n.secretRabbitmq.id);
		expect(await search('credentials', insider)).toEqual([n.secretRabbitmq.id]);
		expect(await search('rabbit', admin)).toEqual(expect.arrayContaining([n.secretRabbitmq.id, n.hiddenRabbitmq.id]));
		expect(ids(await similarNeeds(ctx(admin), 'RabbitMQ spam', { limit: 20 }))).not.toContain(n.hiddenRabbitmq.id);
	});

	it('a word of an unreadable title changes no one else’s results (near spellings are decided over readable titles)', async () => {
		// Only the closed group's need spells "Quetzalcoatl" so: outsiders are given the near spelling, as if it were not there.
		for (const who of [null, outsider]) {
			expect(await search('quetzalcoatl', who)).toEqual([n.publicNear.id]);
			expect(ids(await similarNeeds(ctx(who), 'Quetzalcoatl', { limit: 20 }))).toEqual([n.publicNear.id]);
		}
		// The group's member reads that spelling: it is taken as meant.
		expect(await search('quetzalcoatl', insider)).toEqual([n.secretWord.id]);
	});
});

describe('the search is served by indexes', () => {
	it('uses the full-text and trigram indexes, never a scan of every need', async () => {
		// With one word spelt right the planner may take that word's index and check the misspelt one per row.
		for (const q of ['rabbit', 'live migraton', '"live migration" -numa', 'rabbtmq', 'numa or rabbtmq']) {
			const found = await analyseSearch(ctx(null), q);
			const query = t.db.selectFrom('need').select('need.id').where(searchMatches(found!)).compile();
			const plan = await t.db.transaction().execute(async (tx) => {
				await sql`set local enable_seqscan = off`.execute(tx);
				// The parameters inlined (all of them text), as explain takes none.
				const inlined = query.sql.replace(/\$(\d+)/g, (_, i) => `'${String(query.parameters[Number(i) - 1]).replace(/'/g, "''")}'`);
				return (await sql.raw<{ 'QUERY PLAN': string }>(`explain ${inlined}`).execute(tx)).rows.map((r) => r['QUERY PLAN']).join('\n');
			});
			expect(plan, q).not.toMatch(/Seq Scan on need/);
			if (q !== 'rabbtmq') expect(plan, q).toMatch(/need_search_idx/);
			if (q.includes('rabbtmq')) expect(plan, q).toMatch(/need_title_trgm_idx/);
		}
	});
});
