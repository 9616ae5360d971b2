import { SingleBar, Presets } from 'cli-progress';
import { sql, type Kysely } from 'kysely';
import type { Database, Db } from '#lib/server/platform/db/database.ts';
import { hashSecret } from '#lib/server/platform/auth/secrets.ts';
import { FACTORY_PASSWORD_HASH } from '#lib/server/modules/members/members.factories.ts';
import { refreshTrending } from '#lib/server/modules/needs/needs.trending.ts';
import { seedMembers } from './seed.ts';
import { COMMENTS, COMPONENT_SLUGS, COMPONENT_SUBJECTS, RELEASES, TAGS, generateNeed, oneOf, prng, weighted } from './words.ts';

/*
 * The needs board at the design sizes, in bulk: members (seedMembers), groups with memberships, the
 * component taxonomy, needs with realistic titles, their components, status history, merges, comments,
 * and supports with a Zipf-like popularity. `need.support_count` is set exactly to the distinct
 * supporters of each need and the needs merged into it (what the commands keep), `comment_count` to
 * the comments shown, `recent_support_count` as the trending job computes it.
 *
 * Fast paths: rows generated in JS go over in batches as one JSON parameter each
 * (`insert … select … from json_to_recordset($1)`); supports, memberships and comments are generated in
 * SQL (`generate_series`). Secondary indexes of the bulk-loaded tables are dropped first and recreated
 * from their own definitions afterwards, and foreign-key triggers are off for the seeding session
 * (`session_replication_role = replica`); the data is consistent by construction.
 */

export interface NeedsBoardSizes {
	members: number;
	groups: number;
	needs: number;
	supports: number;
}

export const DESIGN_SIZES: NeedsBoardSizes = { members: 50_000, groups: 300, needs: 100_000, supports: 2_000_000 };

export function sizesAt(scale: number): NeedsBoardSizes {
	return {
		members: Math.max(200, Math.round(DESIGN_SIZES.members * scale)),
		groups: Math.max(5, Math.round(DESIGN_SIZES.groups * scale)),
		needs: Math.max(200, Math.round(DESIGN_SIZES.needs * scale)),
		supports: Math.max(2_000, Math.round(DESIGN_SIZES.supports * scale))
	};
}

export interface SeededBoard {
	sizes: NeedsBoardSizes;
	/** Exact support rows and the time the steps took. */
	supportRows: number;
	seconds: Record<string, number>;
}

const STATUSES = ['new', 'triaged', 'accepted', 'handed_upstream', 'in_progress', 'delivered', 'declined', 'duplicate'] as const;
const STATUS_WEIGHTS = [0.4, 0.18, 0.1, 0.05, 0.05, 0.08, 0.07, 0.07];
const CHANNELS = ['direct', 'mailing_list', 'session', 'survey', 'vendor_relay'] as const;
const CHANNEL_WEIGHTS = [0.55, 0.2, 0.12, 0.08, 0.05];
const GROUP_KINDS = ['working_group', 'committee', 'sig', 'ops_team'] as const;
const DAY = 86_400_000;

function bar(label: string, total: number, progress: boolean) {
	if (!progress) return null;
	const b = new SingleBar({ format: `  ${label.padEnd(12)} [{bar}] {value}/{total} {duration_formatted}`, hideCursor: true }, Presets.shades_classic);
	b.start(total, 0);
	return b;
}

/**
 * Zipf-like support counts for `n` needs by popularity rank r = 1…n: round(C / (r + k)), C chosen so
 * the top need has `top` supporters, k (found by bisection) so the counts add up to `total`.
 */
export function zipfCounts(n: number, total: number, top: number, cap: number): number[] {
	const countsFor = (k: number) => {
		const c = top * (1 + k);
		const counts = new Array<number>(n);
		let sum = 0;
		for (let r = 1; r <= n; r++) {
			counts[r - 1] = Math.min(cap, Math.round(c / (r + k)));
			sum += counts[r - 1];
		}
		return { counts, sum };
	};
	let lo = 0;
	let hi = n * 10;
	for (let i = 0; i < 60; i++) {
		const mid = (lo + hi) / 2;
		if (countsFor(mid).sum < total) lo = mid;
		else hi = mid;
	}
	return countsFor(hi).counts;
}

/** Secondary (non-constraint) indexes of some tables, with their definitions, to drop before a bulk load. */
async function secondaryIndexes(db: Kysely<Database>, tables: string[]) {
	const result = await sql<{ name: string; def: string }>`
		select c.relname as name, pg_get_indexdef(i.indexrelid) as def
		from pg_index i
		join pg_class t on t.oid = i.indrelid
		join pg_class c on c.oid = i.indexrelid
		join pg_namespace ns on ns.oid = t.relnamespace
		where ns.nspname = current_schema() and t.relname in (${sql.join(tables)})
			and not exists (select 1 from pg_constraint k where k.conindid = i.indexrelid)
		order by c.relname`.execute(db);
	return result.rows;
}

/** The stored supporter facts of a need, and the column of `recomputedFacts()` each is compared with. */
const FACT_SOURCES: Record<string, string> = {
	support_count: 'supporters',
	organization_count: 'organizations',
	deployment_count: 'deployments',
	deployment_nodes: 'nodes',
	deployment_instances: 'instances'
};

/** Which of the stored facts this schema has (support_count always; the others since the facts migration). */
export async function factColumns(db: Kysely<Database>): Promise<string[]> {
	const result = await sql<{ column_name: string }>`
		select column_name from information_schema.columns
		where table_schema = current_schema() and table_name = 'need' and column_name in (${sql.join(Object.keys(FACT_SOURCES))})`.execute(db);
	const present = new Set(result.rows.map((r) => r.column_name));
	return Object.keys(FACT_SOURCES).filter((c) => present.has(c));
}

/**
 * Every need's supporter facts computed from the rows (what the commands keep stored): over the need
 * and the needs merged into it, distinct members, distinct organizations (trimmed, case-insensitive,
 * blank left out), distinct deployments attached as evidence and their summed nodes and instances.
 */
export function recomputedFacts() {
	return sql`
		with family as (
			select s.need_id as root, s.member_id, s.deployment_id from support s
			union all
			select d.duplicate_of_id as root, s.member_id, s.deployment_id from need d join support s on s.need_id = d.id where d.duplicate_of_id is not null
		),
		people as (
			select f.root, count(distinct f.member_id)::int as supporters, count(distinct lower(nullif(trim(m.organization), '')))::int as organizations
			from family f join member m on m.id = f.member_id group by f.root
		),
		evidence as (
			select x.root, count(*)::int as deployments, coalesce(sum(dep.nodes), 0)::bigint as nodes, coalesce(sum(dep.instances), 0)::bigint as instances
			from (select distinct f.root, f.deployment_id from family f where f.deployment_id is not null) x
			join deployment dep on dep.id = x.deployment_id group by x.root
		)
		select n.id, coalesce(p.supporters, 0) as supporters, coalesce(p.organizations, 0) as organizations, coalesce(e.deployments, 0) as deployments,
			coalesce(e.nodes, 0)::bigint as nodes, coalesce(e.instances, 0)::bigint as instances
		from need n left join people p on p.root = n.id left join evidence e on e.root = n.id`;
}

/** (root, member) for every support: a duplicate's supports count on the need it was merged into. */
const FAMILY_SUPPORTS = sql`(
	select s.need_id as root, s.member_id from support s
	union all
	select d.duplicate_of_id, s.member_id from need d join support s on s.need_id = d.id where d.duplicate_of_id is not null
)`;

/** Every need's distinct supporters per segment (over the need and the needs merged into it), computed from the rows. */
export function recomputedSegments() {
	return sql`
		select f.root as need_id, seg as segment, count(distinct f.member_id)::int as supporters
		from ${FAMILY_SUPPORTS} f
		join member m on m.id = f.member_id
		cross join lateral unnest(m.segments) as seg
		group by f.root, seg`;
}

/** Every need's distinct supporters per organization key (over the need and the needs merged into it), from the rows. */
export function recomputedOrganizations() {
	return sql`
		select f.root as need_id, lower(nullif(trim(m.organization), '')) as organization, count(distinct f.member_id)::int as supporters
		from ${FAMILY_SUPPORTS} f
		join member m on m.id = f.member_id
		where lower(nullif(trim(m.organization), '')) is not null
		group by 1, 2`;
}

/** Whether this schema has a table (the stored breakdowns came with later migrations). */
async function hasTable(db: Kysely<Database>, table: string): Promise<boolean> {
	const result = await sql<{
		n: number;
	}>`select count(*)::int as n from information_schema.tables where table_schema = current_schema() and table_name = ${table}`.execute(db);
	return result.rows[0].n > 0;
}

/**
 * Stored facts against the rows: needs whose support_count is lower (lost) or higher (double) than the
 * distinct supporters, and needs where any other stored fact (or a stored segment count) differs.
 */
export async function checkFacts(db: Kysely<Database>): Promise<{ checked: number; lost: number; double: number; otherFacts: number }> {
	const columns = await factColumns(db);
	const others = columns.filter((c) => c !== 'support_count');
	const differs = others.length
		? sql.join(
				others.map((c) => sql`n.${sql.id(c)} <> f.${sql.id(FACT_SOURCES[c])}`),
				sql` or `
			)
		: sql`false`;
	const result = await sql<{ checked: number; lost: number; double: number; other: number }>`
		select count(*)::int as checked,
			count(*) filter (where n.support_count < f.supporters)::int as lost,
			count(*) filter (where n.support_count > f.supporters)::int as double,
			count(*) filter (where ${differs})::int as other
		from need n join (${recomputedFacts()}) f on f.id = n.id`.execute(db);
	const row = result.rows[0];
	// Needs whose stored breakdown by segment or by organization differs from the rows.
	let breakdownsOff = 0;
	for (const [table, key, recomputed] of [
		['need_segment_count', 'segment', recomputedSegments()],
		['need_organization_count', 'organization', recomputedOrganizations()]
	] as const) {
		if (!(await hasTable(db, table))) continue;
		const off = await sql<{ n: number }>`
			select count(distinct coalesce(c.need_id, r.need_id))::int as n
			from (select need_id, ${sql.ref(key)} as k, supporters from ${sql.table(table)} where supporters > 0) c
			full join (select need_id, ${sql.ref(key)} as k, supporters from (${recomputed}) x) r on r.need_id = c.need_id and r.k = c.k
			where c.supporters is distinct from r.supporters`.execute(db);
		breakdownsOff += off.rows[0].n;
	}
	return { checked: row.checked, lost: row.lost, double: row.double, otherFacts: row.other + breakdownsOff };
}

export async function seedNeedsBoard(db: Db, sizes: NeedsBoardSizes, options: { progress?: boolean; now?: Date } = {}): Promise<SeededBoard> {
	const progress = options.progress !== false;
	const now = options.now ?? new Date();
	const rand = prng(20261125);
	const seconds: Record<string, number> = {};
	const timed = async <T>(step: string, work: () => Promise<T>): Promise<T> => {
		const started = performance.now();
		const result = await work();
		seconds[step] = (performance.now() - started) / 1000;
		return result;
	};

	await timed('members', () => seedMembers(db, sizes.members, { progress }));

	return db.connection().execute(async (conn) => {
		let mark = performance.now();
		const lap = (step: string) => {
			seconds[step] = (seconds[step] ?? 0) + (performance.now() - mark) / 1000;
			mark = performance.now();
		};
		await sql`set session_replication_role = replica`.execute(conn);
		await sql`set work_mem = '128MB'`.execute(conn);
		await sql`set maintenance_work_mem = '256MB'`.execute(conn);
		await sql`select setseed(0.1125)`.execute(conn);

		// Members as a dense index k = 0…M-1 with one of their deployments, for generated supports and memberships.
		await sql`drop table if exists bench_m`.execute(conn);
		await sql`analyze member, deployment`.execute(conn);
		await sql`create temp table bench_m as
			select (row_number() over (order by m.id) - 1)::int as k, m.id, d.dep
			from member m left join (select member_id, min(id) as dep from deployment group by member_id) d on d.member_id = m.id`.execute(conn);
		await sql`alter table bench_m add primary key (k)`.execute(conn);
		await sql`analyze bench_m`.execute(conn);
		const memberCount = Number((await sql<{ n: number }>`select count(*)::int as n from bench_m`.execute(conn)).rows[0].n);
		const memberIds = (await sql<{ id: number }>`select id from bench_m order by k`.execute(conn)).rows.map((r) => Number(r.id));
		lap('prepare');

		// Components.
		const componentIds = new Map<string, number>();
		for (const slug of COMPONENT_SLUGS) {
			const row = await conn
				.insertInto('component')
				.values({
					slug,
					name: COMPONENT_SUBJECTS[slug].name,
					description: `Needs about ${COMPONENT_SUBJECTS[slug].name}.`,
					created_at: new Date(now.getTime() - 1200 * DAY)
				})
				.onConflict((oc) => oc.column('slug').doUpdateSet({ name: COMPONENT_SUBJECTS[slug].name }))
				.returning('id')
				.executeTakeFirstOrThrow();
			componentIds.set(slug, Number(row.id));
		}

		// Groups: a quarter closed; memberships with a chair, two moderators and members, some requests pending.
		const groups: { id: number; closed: boolean }[] = [];
		await timed('groups', async () => {
			const rows = [];
			for (let g = 0; g < sizes.groups; g++) {
				const component = COMPONENT_SLUGS[g % COMPONENT_SLUGS.length];
				const kind = GROUP_KINDS[g % GROUP_KINDS.length];
				const closed = g % 4 === 3;
				rows.push({
					slug: `${component}-${kind.replace('_', '-')}-${g}`,
					name: `${COMPONENT_SUBJECTS[component].name} ${kind.replace('_', ' ')} ${g}`,
					kind,
					visibility: closed ? 'closed' : 'open',
					summary: `Operators of ${COMPONENT_SUBJECTS[component].name} comparing notes.`,
					charter: `We collect and rank the needs of ${COMPONENT_SUBJECTS[component].name} operators.`,
					created_by: memberIds[(g * 131) % memberCount],
					created_at: new Date(now.getTime() - (900 - g) * DAY),
					updated_at: new Date(now.getTime() - (900 - g) * DAY)
				});
			}
			const inserted = await conn
				.insertInto('group')
				.values(rows as never)
				.returning(['id', 'visibility'])
				.execute();
			for (const r of inserted) groups.push({ id: Number(r.id), closed: r.visibility === 'closed' });
			await sql`
				insert into group_membership (group_id, member_id, role, state, message, created_at, updated_at)
				select g.id, bm.id,
					case when j = 0 then 'chair' when j <= 2 then 'moderator' else 'member' end,
					case when j > 5 and j % 17 = 0 then 'requested' else 'active' end,
					'', ${now}::timestamptz - make_interval(days => (j % 400)), ${now}::timestamptz - make_interval(days => (j % 400))
				from (select id, row_number() over (order by id) as n from "group") g
				cross join lateral generate_series(0, 4 + ((g.n * 37) % 150)::int) j
				join bench_m bm on bm.k = ((g.n * 7919 + j * 104729) % ${memberCount})
				on conflict do nothing`.execute(conn);
		});

		// Needs.
		const bulkTables = ['need', 'need_component', 'support', 'need_comment', 'need_status_change', 'need_merge'];
		mark = performance.now();
		const indexes = await secondaryIndexes(conn, bulkTables);
		for (const index of indexes) await sql`drop index ${sql.id(index.name)}`.execute(conn);
		lap('prepare');

		const needIds: number[] = [];
		await timed('needs', async () => {
			const b = bar('needs', sizes.needs, progress);
			const batch = 2000;
			const span = 1100 * DAY;
			for (let start = 0; start < sizes.needs; start += batch) {
				const rows = [];
				const components: number[][] = [];
				for (let i = start; i < Math.min(sizes.needs, start + batch); i++) {
					const need = generateNeed(rand);
					// Older needs first, so ids grow with creation time like a real board.
					const createdAt = new Date(now.getTime() - span + (span * (i + rand())) / sizes.needs);
					const updatedAt = new Date(Math.min(now.getTime() - 60_000, createdAt.getTime() + rand() * rand() * (now.getTime() - createdAt.getTime())));
					let status: string = weighted(rand, STATUSES, STATUS_WEIGHTS);
					const grouped = rand() < 0.6;
					const group = grouped ? groups[Math.floor(rand() * groups.length)] : null;
					const unpublished = group?.closed && rand() < 0.6;
					if (status === 'duplicate' && unpublished) status = 'new';
					const hidden = rand() < 0.003;
					const channel = weighted(rand, CHANNELS, CHANNEL_WEIGHTS);
					const tags = [...new Set([oneOf(rand, TAGS), ...(rand() < 0.5 ? [oneOf(rand, TAGS)] : [])])];
					const releases = [...new Set([need.release, ...(rand() < 0.35 ? [oneOf(rand, RELEASES)] : [])])];
					rows.push({
						ord: i,
						title: need.title,
						body: need.body,
						kind: need.kind,
						status,
						status_reason: status === 'declined' ? 'Out of scope for the project; a deployment tool can do this.' : null,
						group_id: group?.id ?? null,
						published_at: unpublished ? null : createdAt,
						author_id: memberIds[Math.floor(rand() * memberCount)],
						source_channel: channel,
						source_url: channel === 'mailing_list' ? `https://lists.openstack.org/archives/list/openstack-discuss@lists.openstack.org/thread/${i}/` : null,
						source_note: channel === 'vendor_relay' ? `On behalf of a customer of ${oneOf(rand, ['Canonical', 'Red Hat', 'Mirantis', 'StackHPC'])}` : null,
						tags,
						releases,
						hidden_at: hidden ? updatedAt : null,
						hidden_reason: hidden ? 'Spam' : null,
						locked_at: rand() < 0.005 ? updatedAt : null,
						created_at: createdAt,
						updated_at: updatedAt
					});
					const extra = rand() < 0.4 ? oneOf(rand, COMPONENT_SLUGS) : null;
					components.push([...new Set([need.component, ...(extra ? [extra] : [])])].map((slug) => componentIds.get(slug)!));
				}
				const inserted = await sql<{ id: number }>`
					insert into need (title, body, kind, status, status_reason, group_id, published_at, author_id, source_channel, source_url,
						source_note, tags, releases, hidden_at, hidden_reason, locked_at, created_at, updated_at)
					select title, body, kind, status, status_reason, group_id, published_at, author_id, source_channel, source_url,
						source_note, tags, releases, hidden_at, hidden_reason, locked_at, created_at, updated_at
					from json_to_recordset(cast(${JSON.stringify(rows)} as json)) as x(ord int, title text, body text, kind text, status text,
						status_reason text, group_id bigint, published_at timestamptz, author_id bigint, source_channel text, source_url text,
						source_note text, tags text[], releases text[], hidden_at timestamptz, hidden_reason text, locked_at timestamptz,
						created_at timestamptz, updated_at timestamptz)
					order by ord
					returning id`.execute(conn);
				const ids = inserted.rows.map((r) => Number(r.id));
				for (let k = 1; k < ids.length; k++) if (ids[k] <= ids[k - 1]) throw new Error('Need ids came back out of order; cannot attach components.');
				needIds.push(...ids);
				const pairs = ids.flatMap((id, k) => components[k].map((c) => ({ n: id, c })));
				await sql`insert into need_component (need_id, component_id)
					select n, c from json_to_recordset(cast(${JSON.stringify(pairs)} as json)) as x(n bigint, c bigint)`.execute(conn);
				b?.update(Math.min(sizes.needs, start + batch));
			}
			b?.stop();
		});

		// Duplicates: merged into an older, published-or-public need that is not a duplicate; they share its group.
		await timed('merges', async () => {
			await sql`analyze need, "group", group_membership`.execute(conn);
			await sql`drop table if exists bench_roots`.execute(conn);
			await sql`create temp table bench_roots as
				select id, row_number() over (order by id) - 1 as r from need where status <> 'duplicate' and hidden_at is null`.execute(conn);
			await sql`
				with rc as (select count(*) as c from bench_roots),
				d as (select n.id, (abs(hashtext(n.id::text)) % (select c from rc)) as r from need n where n.status = 'duplicate')
				update need set duplicate_of_id = br.id, group_id = rn.group_id, published_at = rn.published_at
				from d join bench_roots br on br.r = d.r join need rn on rn.id = br.id
				where need.id = d.id`.execute(conn);
			await sql`
				insert into need_merge (source_id, target_id, reason, actor_id, merged_at, source_previous_status, source_previous_reason)
				select n.id, n.duplicate_of_id, 'Same problem, reported twice.', n.author_id, n.updated_at, 'new', null
				from need n where n.duplicate_of_id is not null`.execute(conn);
			await sql`
				insert into need_status_change (need_id, from_status, to_status, reason, actor_id, at)
				select n.id, 'new', n.status,
					case n.status when 'declined' then n.status_reason when 'duplicate' then 'Merged into #' || n.duplicate_of_id else 'Triaged at the ops meetup.' end,
					n.author_id, n.updated_at
				from need n where n.status <> 'new'`.execute(conn);
		});

		// Supports: popularity rank from a hash of the id, counts Zipf-like; member j of need n is
		// k = (offset(n) + j·stride) mod M with stride coprime to M, so a need's supporters are distinct.
		let supportRows = 0;
		await timed('supports', async () => {
			const top = Math.min(Math.round(memberCount * 0.12), Math.max(50, Math.round(sizes.supports / sizes.needs) * 250));
			const counts = zipfCounts(sizes.needs, sizes.supports, top, memberCount);
			const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
			const stride = [104_729, 7_919, 15_485_863, 1_299_709].find((p) => gcd(p, memberCount) === 1 && p % memberCount !== 0)!;
			await sql`drop table if exists bench_n`.execute(conn);
			await sql`create temp table bench_n (rank int primary key, need_id bigint not null, cnt int not null, off int not null)`.execute(conn);
			await sql`
				insert into bench_n (rank, need_id, cnt, off)
				select r.rank, r.id, (cast(${JSON.stringify(counts)} as jsonb) ->> (r.rank - 1)::int)::int, abs(hashtext('m' || r.id::text)) % ${memberCount}
				from (select id, row_number() over (order by md5(id::text))::int as rank from need) r`.execute(conn);
			await sql`analyze bench_n`.execute(conn);
			const total = counts.reduce((a, b) => a + b, 0);
			const b = bar('supports', total, progress);
			// Chunks of ranks with about the same number of rows each.
			const chunk = Math.max(20_000, Math.ceil(total / 40));
			let from = 1;
			let done = 0;
			while (from <= counts.length) {
				let to = from;
				let rows = 0;
				while (to <= counts.length && rows < chunk) rows += counts[to++ - 1];
				await sql`
					insert into support (need_id, member_id, deployment_id, impact, created_at)
					select n.need_id, bm.id,
						case when random() < 0.3 then bm.dep end,
						case when random() < 0.03 then 'Hits us every week on ' || (10 + (bm.k % 900)) || ' nodes.' end,
						nd.created_at + random() * (${now}::timestamptz - nd.created_at)
					from bench_n n
					join need nd on nd.id = n.need_id
					cross join lateral generate_series(0, n.cnt - 1) j
					join bench_m bm on bm.k = ((n.off::bigint + j::bigint * ${stride}) % ${memberCount})
					where n.rank >= ${from} and n.rank < ${to}`.execute(conn);
				done += rows;
				b?.update(done);
				from = to;
			}
			b?.stop();
			supportRows = total;
		});

		await timed('counts', async () => {
			// The design's rule: distinct members over the need and the needs merged into it, and the other
			// stored supporter facts over the same family (whichever of them this schema has).
			const columns = await factColumns(conn);
			const set = sql.join(columns.map((c) => sql`${sql.id(c)} = f.${sql.id(FACT_SOURCES[c])}`));
			await sql`update need set ${set} from (${recomputedFacts()}) f where f.id = need.id`.execute(conn);
			if (await hasTable(conn, 'need_segment_count')) {
				await sql`delete from need_segment_count`.execute(conn);
				await sql`insert into need_segment_count (need_id, segment, supporters) ${recomputedSegments()}`.execute(conn);
			}
			if (await hasTable(conn, 'need_organization_count')) {
				await sql`delete from need_organization_count`.execute(conn);
				await sql`insert into need_organization_count (need_id, organization, supporters) ${recomputedOrganizations()}`.execute(conn);
			}
			// The trending rollup as its job leaves it, so the board's trending figure reads a filled column.
			await refreshTrending(conn, now);
		});

		await timed('comments', async () => {
			await sql`
				insert into need_comment (need_id, author_id, body, created_at)
				select n.id, bm.id, (cast(${JSON.stringify(COMMENTS)} as jsonb) ->> ((n.id + j) % ${COMMENTS.length})::int),
					n.created_at + random() * (${now}::timestamptz - n.created_at)
				from need n
				cross join lateral generate_series(1, least(40, n.support_count / 40) + (n.id % 3)::int) j
				join bench_m bm on bm.k = ((n.id * 31 + j * 7919) % ${memberCount})`.execute(conn);
			await sql`update need set comment_count = x.c from (select need_id, count(*)::int as c from need_comment group by need_id) x where x.need_id = need.id`.execute(
				conn
			);
		});

		await timed('indexes', async () => {
			const b = bar('indexes', indexes.length, progress);
			let i = 0;
			for (const index of indexes) {
				await sql.raw(index.def).execute(conn);
				b?.update(++i);
			}
			b?.stop();
		});
		mark = performance.now();
		await sql`set session_replication_role = origin`.execute(conn);
		await sql`drop table if exists bench_m, bench_n, bench_roots`.execute(conn);
		lap('finish');
		await timed('analyze', () => sql`vacuum (analyze)`.execute(conn).then(() => undefined));
		return { sizes, supportRows, seconds };
	});
}

export interface Writer {
	memberId: number;
	token: string;
}

/** Members with personal API tokens, inserted directly: token_hash is the SHA-256 hex of the secret (what actorForToken looks up). */
export async function seedWriters(db: Db, count: number, prefix: string): Promise<Writer[]> {
	const now = new Date();
	const members = await db
		.insertInto('member')
		.values(
			Array.from({ length: count }, (_, i) => ({
				email: `${prefix}-${i}@example.org`,
				handle: `${prefix}-${i}`,
				display_name: `Bench ${prefix} ${i}`,
				password_hash: FACTORY_PASSWORD_HASH,
				organization: 'Bench Cloud',
				segments: ['operator' as const],
				created_at: now,
				updated_at: now
			}))
		)
		.returning('id')
		.execute();
	const writers = members.map((m, i) => ({
		memberId: Number(m.id),
		token: `caucus_bench_${prefix}_${i}_${Math.random().toString(36).slice(2)}${Date.now().toString(36)}`
	}));
	await db
		.insertInto('api_token')
		.values(
			writers.map((w) => ({
				member_id: w.memberId,
				name: 'bench',
				token_hash: hashSecret(w.token),
				prefix: w.token.slice(0, 12),
				created_at: now,
				last_used_at: null,
				revoked_at: null
			}))
		)
		.execute();
	return writers;
}
