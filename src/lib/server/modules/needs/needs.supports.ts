import { sql, type RawBuilder } from 'kysely';
import { requireActor, retryingTransaction, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import { isEmbedded, PREPARED, type Executor } from '#lib/server/platform/db/database.ts';
import { conflict, forbidden, invalid, notFound, parseInput, unauthenticated } from '#lib/server/platform/errors.ts';
import { groupAndMembership, loadNeedAccess, needFacts, type NeedAccess, type NeedPolicyRow } from './needs.access.ts';
import type { GroupFacts, MembershipFacts } from '#lib/server/modules/groups/index.ts';
import { mayReadNeed, needAbilities } from './needs.policy.ts';
import { supportInput, type SupportNeedInput } from './needs.schemas.ts';
import type { NeedRow } from './needs.tables.ts';

/*
 * Supports and follows.
 *
 * A need's supporters are the distinct members supporting it or any need merged into it (whose
 * `duplicate_of_id` points to it). Merges are flattened, so a need's family is the need and its direct
 * duplicates, never deeper. Supports are never moved by a merge: undoing one gives the duplicate back
 * exactly its own rows. `need.support_count` holds the distinct count and is recomputed exactly, in the
 * transaction of every change, while the family's root row is locked.
 *
 * Locking. Every change to a family's supports, follows or members takes the root's row lock first
 * (FOR NO KEY UPDATE: the strength an UPDATE of the row takes, so it serializes with every other writer of
 * the family but does not block inserts that merely reference the need). Merges and undos lock both roots
 * in id order. A command that raced with a merge finds out after it got the lock (the row it locked is no
 * longer a root) and follows the new root; a deadlock or serialization failure that PostgreSQL detects
 * anyway reruns the whole transaction when the command owns it.
 *
 * Supporting and withdrawing first take the actor's member row (and the deployment cited as evidence)
 * FOR KEY SHARE, then the root: the order the members module's profile and deployment changes lock them
 * in (member or deployment FOR UPDATE, then the roots, see `lockNeedsForEvidence`), so the two cannot
 * deadlock, and a support never counts an organization or a deployment size that is being changed.
 *
 * Counting. Supporting and withdrawing do not recount the family: under the root's lock they change the
 * stored facts by what the actor's own rows add or take away (one statement: `putSupport`, `dropSupport`):
 * the person counts once if they had no support in the family before, and so do their segments
 * (`need_segment_count`); their organization counts if nobody else in the family belongs to it (asked of
 * `need_organization_count`, which the statement moves too); a deployment counts if nobody else in the
 * family cites it. Merges, undos, splits and evidence changes (organization, segments, deployment sizes)
 * still recount from the rows (`recountSupport`). See docs/decisions 0007, 0009 and 0011.
 */

export interface SupportState {
	/** The need the support counts on: the one asked for, or the need it was merged into. */
	needId: number;
	/** Set when the need asked for is a duplicate: its id (and `needId` is the need it was merged into). */
	redirectedFrom: number | null;
	supportCount: number;
	supporting: boolean;
	following: boolean;
}

/**
 * On a PostgreSQL server, supports and withdrawals in a transaction of their own commit without waiting for
 * their WAL to reach the disk (`synchronous_commit = off`, for that transaction only): they hold the family
 * root's lock until they commit, so on a popular need every support queued behind the previous one's disk
 * flush. A crash of PostgreSQL itself (not of Caucus) may forget the supports of its last fraction of a
 * second (at most three times wal_writer_delay), whole: rows and counts commit together or not at all, so
 * nothing is ever inconsistent, and the member can simply support again. A caller's own transaction keeps
 * its setting. The common path sets it in its locking statement (`lockOwnRoot`), which saves a round trip;
 * this is the general path's.
 *
 * Never on the embedded database (`isEmbedded`): PGlite is PostgreSQL inside this process, with no WAL
 * writer to flush an asynchronous commit a moment later, so a support acknowledged that way lived only in
 * this process's memory until the next synchronous commit, and died with the process (kill -9 lost most of
 * a burst's acknowledged supports). Its synchronous commit costs no disk flush either (PGlite runs with
 * fsync off, see `openPglite`): it only writes the WAL to the data folder's files, so there is nothing to
 * win. See docs/decisions/0010-supports-commit-asynchronously.md.
 */
const ASYNCHRONOUS_COMMIT = sql`set_config('synchronous_commit', 'off', true)`;
async function commitAsynchronously(tx: TxCtx): Promise<void> {
	await sql`select ${ASYNCHRONOUS_COMMIT}`.execute(tx.db);
}

/** Whether a support or withdrawal may commit asynchronously: in a transaction of its own, on a PostgreSQL server. */
const mayCommitAsynchronously = (ctx: Ctx) => !ctx.db.isTransaction && !isEmbedded(ctx.db);

/** The need's access facts computed for a row already read (no second read of the need). */
export async function accessOf(tx: TxCtx, need: NeedRow): Promise<NeedAccess> {
	const { group, membership } = await groupAndMembership(tx.db, need.group_id, tx.actor?.memberId ?? null);
	return { need, group, membership, abilities: needAbilities(tx.actor, needFacts(need), group, membership) };
}

/** Locks needs' rows in id order (the one order every command uses) and returns them fresh. */
export async function lockNeeds(db: Executor, ids: readonly number[]): Promise<Map<number, NeedRow>> {
	const rows = new Map<number, NeedRow>();
	for (const id of [...new Set(ids)].sort((a, b) => a - b)) {
		const row = await db.selectFrom('need').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
		if (!row) throw notFound('The need');
		rows.set(id, row);
	}
	return rows;
}

/**
 * Locks the root of `needId`'s family (the need itself, or the need it was merged into) and returns it.
 * The root is found without a lock, locked, then checked again: a merge or undo that committed meanwhile
 * moves us on to the new root.
 */
export async function lockFamilyRoot(db: Executor, needId: number): Promise<NeedRow> {
	const first = await db.selectFrom('need').select('duplicate_of_id').where('id', '=', needId).executeTakeFirst();
	if (!first) throw notFound('The need');
	let rootId = first.duplicate_of_id ?? needId;
	for (let attempt = 0; attempt < 5; attempt++) {
		const root = await db.selectFrom('need').selectAll().where('id', '=', rootId).forNoKeyUpdate().executeTakeFirst();
		if (!root) throw notFound('The need');
		if (root.duplicate_of_id !== null) {
			rootId = root.duplicate_of_id;
			continue;
		}
		if (rootId === needId) return root;
		const asked = await db.selectFrom('need').select('duplicate_of_id').where('id', '=', needId).executeTakeFirst();
		if (!asked) throw notFound('The need');
		if (asked.duplicate_of_id === rootId) return root;
		rootId = asked.duplicate_of_id ?? needId;
	}
	throw conflict('The need is being merged or split right now; try again in a moment.');
}

// ---------------------------------------------------------------------------------------------------
// A need's family, and the deployment weight: their one home. Other modules (priorities' published lists)
// read a family's supports and deployments through these builders, never by spelling the join themselves.

/** The ids of a root's family: the need and the needs merged into it. */
export function familyIds(db: Executor, rootId: number) {
	return db
		.selectFrom('need')
		.select('need.id')
		.where((eb) => eb.or([eb('need.id', '=', rootId), eb('need.duplicate_of_id', '=', rootId)]));
}

/**
 * A subquery: one column of the supports given on the family of `root` (an SQL expression naming a root
 * need's id, e.g. sql.ref('n.id')): its own supports, then its duplicates'. `distinct` drops repeats
 * (`union`); without it a member or deployment appears once per support (`union all`).
 */
export function familySupportColumn(
	root: RawBuilder<unknown>,
	column: 'member_id' | 'deployment_id',
	options: { distinct?: boolean } = {}
): RawBuilder<unknown> {
	const value = sql.raw(`s.${column}`);
	const union = options.distinct ? sql.raw('union') : sql.raw('union all');
	return sql`select ${value} from support s where s.need_id = ${root}
					${union}
					select ${value} from support s join need d on d.id = s.need_id where d.duplicate_of_id = ${root}`;
}

/**
 * The weight of one deployment in the deployments order of a priority list: 1 + log₂(1 + nodes). A
 * logarithm, so a cloud of 1,000 nodes weighs about five times one of 3 nodes rather than three hundred
 * times: size counts, but many operators outweigh one giant. The 1 makes every deployment count, also one
 * whose size its operator did not give (0 nodes).
 */
export const deploymentWeight = (nodes: number | null) => 1 + Math.log2(1 + Math.max(0, nodes ?? 0));

/** The same, in words, for a published list's readers. */
export const DEPLOYMENT_WEIGHT_FORMULA = 'Σ over the distinct deployments supporting the need of (1 + log₂(1 + nodes)); a deployment of unknown size counts 1';

/** The SQL twin of `deploymentWeight`, over a nodes column or expression. */
export const deploymentWeightSql = (nodes: RawBuilder<unknown>) => sql<number>`(1 + ln(1 + greatest(coalesce(${nodes}, 0), 0)) / ln(2))`;

/** Σ `deploymentWeight` over the distinct deployments attached as evidence to a support of the family of `root` (0 for none). */
export const familyDeploymentScore = (root: RawBuilder<unknown>) =>
	sql<number>`coalesce((
			select sum(${deploymentWeightSql(sql.ref('dep.nodes'))})
			from deployment dep
			where dep.id in (${familySupportColumn(root, 'deployment_id', { distinct: true })})
		), 0)::float8`;

/**
 * Recomputes, in one statement, the stored supporter facts of the given needs from the rows, over the
 * need and the needs merged into it: `support_count` (distinct members), `organization_count` (distinct
 * organizations of those members, trimmed and case-insensitive, blank left out), `deployment_count`
 * (distinct deployments attached as evidence) and their summed `deployment_nodes` and
 * `deployment_instances`. The caller holds the roots' locks.
 */
export async function recountSupport(db: Executor, needIds: readonly number[]): Promise<void> {
	const ids = [...new Set(needIds)];
	if (!ids.length) return;
	await sql`
		update need set
			support_count = f.supporters,
			organization_count = f.organizations,
			deployment_count = f.deployments,
			deployment_nodes = f.nodes,
			deployment_instances = f.instances
		from (
			select t.id, p.supporters, p.organizations, e.deployments, e.nodes, e.instances
			from (values ${sql.join(ids.map((id) => sql`(${id}::bigint)`))}) as t(id)
			cross join lateral (
				select count(distinct fs.member_id)::int as supporters, count(distinct lower(nullif(trim(m.organization), '')))::int as organizations
				from (${familySupportColumn(sql.ref('t.id'), 'member_id')}) fs
				join member m on m.id = fs.member_id
			) p
			cross join lateral (
				select count(*)::int as deployments, coalesce(sum(dep.nodes), 0)::bigint as nodes, coalesce(sum(dep.instances), 0)::bigint as instances
				from deployment dep
				where dep.id in (${familySupportColumn(sql.ref('t.id'), 'deployment_id', { distinct: true })})
			) e
		) f
		where need.id = f.id`.execute(db);
	await recountBreakdowns(db, ids);
}

/** Recomputes `need_segment_count` and `need_organization_count` of the given needs from the rows, over each need's family. */
async function recountBreakdowns(db: Executor, ids: number[]): Promise<void> {
	const idList = sql.join(ids.map((id) => sql`${id}::bigint`));
	// (root, member) for every support in the families of the given needs: their own and their duplicates'.
	const family = sql`(
		select s.need_id as root, s.member_id from support s where s.need_id in (${idList})
		union all
		select d.duplicate_of_id, s.member_id from need d join support s on s.need_id = d.id where d.duplicate_of_id in (${idList})
	)`;
	await sql`delete from need_organization_count where need_id in (${idList})`.execute(db);
	await sql`
		insert into need_organization_count (need_id, organization, supporters)
		select f.root, ${ORG_KEY}, count(distinct f.member_id)::int
		from ${family} f join member m on m.id = f.member_id
		where ${ORG_KEY} is not null
		group by 1, 2`.execute(db);
	await sql`delete from need_segment_count where need_id in (${idList})`.execute(db);
	await sql`
		insert into need_segment_count (need_id, segment, supporters)
		select f.root, seg, count(distinct f.member_id)::int
		from ${family} f join member m on m.id = f.member_id cross join lateral unnest(m.segments) as seg
		group by f.root, seg`.execute(db);
}

/**
 * After a member's organization or segments changed (`{ memberId }`), or a deployment's size changed or it was
 * removed (`{ deploymentId }`): the needs whose stored facts may have moved. Returns a function that
 * recounts them; call it after the change, in the same transaction. Before returning, it locks the
 * roots of those needs' families in id order (FOR NO KEY UPDATE, as every support command does), so no
 * support, withdrawal, merge or undo of those families runs between the change and the recount. Call it
 * before deleting a deployment: afterwards no support points at it any more.
 */
export async function lockNeedsForEvidence(db: Executor, change: { memberId: number } | { deploymentId: number }): Promise<() => Promise<void>> {
	const supported = db.selectFrom('support').innerJoin('need', 'need.id', 'support.need_id').select(['need.id', 'need.duplicate_of_id']).distinct();
	const rows = await (
		'memberId' in change ? supported.where('support.member_id', '=', change.memberId) : supported.where('support.deployment_id', '=', change.deploymentId)
	).execute();
	if (!rows.length) return async () => {};
	const needIds = rows.map((r) => Number(r.id));
	const locked = new Set<number>();
	// A merge or undo may re-point a duplicate while we wait for a lock: lock the roots found, then check
	// the roots again and lock any new one (rare, and then out of order; PostgreSQL's deadlock detection
	// is the backstop).
	for (let attempt = 0; attempt < 5; attempt++) {
		const current = await db.selectFrom('need').select(['id', 'duplicate_of_id']).where('id', 'in', needIds).execute();
		const roots = [...new Set(current.map((r) => Number(r.duplicate_of_id ?? r.id)))].filter((id) => !locked.has(id)).sort((a, b) => a - b);
		if (!roots.length) break;
		for (const id of roots) {
			await db.selectFrom('need').select('id').where('id', '=', id).forNoKeyUpdate().execute();
			locked.add(id);
		}
	}
	return () => recountSupport(db, [...needIds, ...locked]);
}

/** Distinct supporters of a need's family (the need and the needs merged into it). */
export async function familySupporters(db: Executor, rootId: number): Promise<number[]> {
	const rows = await db.selectFrom('support').select('member_id').distinct().where('need_id', 'in', familyIds(db, rootId)).execute();
	return rows.map((r) => Number(r.member_id));
}

/** The members following this one need (not its family): whom news of the need itself reaches. */
export async function needFollowers(db: Executor, needId: number): Promise<number[]> {
	const rows = await db.selectFrom('need_follow').select('member_id').where('need_id', '=', needId).execute();
	return rows.map((r) => Number(r.member_id));
}

/** The members who support or follow this one need (not its family), each once: whom news of the need itself concerns. */
export async function supportersAndFollowers(db: Executor, needId: number): Promise<number[]> {
	const rows = await db
		.selectFrom('support')
		.select('member_id as id')
		.where('need_id', '=', needId)
		.union(db.selectFrom('need_follow').select('member_id as id').where('need_id', '=', needId))
		.execute();
	return rows.map((r) => Number(r.id));
}

/** Distinct followers of a need's family. */
export async function familyFollowers(db: Executor, rootId: number): Promise<number[]> {
	const rows = await db.selectFrom('need_follow').select('member_id').distinct().where('need_id', 'in', familyIds(db, rootId)).execute();
	return rows.map((r) => Number(r.member_id));
}

async function stateOf(db: Executor, rootId: number, askedId: number, memberId: number): Promise<SupportState> {
	const row = await db
		.selectFrom('need')
		.select((eb) => [
			'need.support_count',
			eb
				.exists(
					eb.selectFrom('support').select('support.need_id').where('support.member_id', '=', memberId).where('support.need_id', 'in', familyIds(db, rootId))
				)
				.as('supporting'),
			eb
				.exists(
					eb
						.selectFrom('need_follow')
						.select('need_follow.need_id')
						.where('need_follow.member_id', '=', memberId)
						.where('need_follow.need_id', 'in', familyIds(db, rootId))
				)
				.as('following')
		])
		.where('need.id', '=', rootId)
		.executeTakeFirstOrThrow();
	return {
		needId: rootId,
		redirectedFrom: rootId === askedId ? null : askedId,
		supportCount: Number(row.support_count),
		supporting: Boolean(row.supporting),
		following: Boolean(row.following)
	};
}

/**
 * The root of the family the actor acts on, locked, after checking the actor may read the need asked for
 * (`not_found` otherwise) and may support or follow the root. A duplicate whose target the actor cannot
 * read (its group closed since) answers `conflict`, without naming the target.
 */
async function lockedRootFor(tx: TxCtx, needId: number, what: 'support' | 'follow'): Promise<NeedRow> {
	await loadNeedAccess(tx, needId);
	const root = await lockFamilyRoot(tx.db, needId);
	const access = await accessOf(tx, root);
	if (!access.abilities.read) throw conflict('This need was merged into another need that you cannot see.');
	if (!access.abilities[what]) throw hiddenOrNot(root, what);
	return root;
}

/**
 * The common case in one statement: the actor's member row (and the deployment cited, which must be
 * theirs) FOR KEY SHARE, then the need FOR NO KEY UPDATE if it is its own family's root, with what the
 * access check needs (its group's visibility and the actor's membership). Null when the need is a
 * duplicate, does not exist or the deployment is not the actor's: the general path then finds out which,
 * with the precise error. A documented exception to reading other modules through their builders (see
 * "Crossing modules" in docs/architecture.md): this one prepared statement, the hottest write, reads the
 * member, deployment, group and membership rows itself; it only reads them, and the policy still decides.
 */
async function lockOwnRoot(tx: TxCtx, needId: number, memberId: number, deploymentId: number | null, options: { asynchronousCommit: boolean }) {
	if (!Number.isSafeInteger(needId) || needId <= 0) return null;
	const result = await sql<
		LockedRoot & {
			m_org_key: string | null;
			g_visibility: GroupFacts['visibility'] | null;
			gm_role: MembershipFacts['role'] | null;
			gm_state: MembershipFacts['state'] | null;
		}
	>`${PREPARED}
		select n.id, n.author_id, n.group_id, n.published_at, n.hidden_at, n.locked_at, n.status, n.support_count,
			${ORG_KEY} as m_org_key, g.visibility as g_visibility, gm.role as gm_role, gm.state as gm_state
			${options.asynchronousCommit ? sql`, ${ASYNCHRONOUS_COMMIT} as asynchronous_commit` : sql``}
		from member m
		${deploymentId === null ? sql`` : sql`join deployment d on d.id = ${deploymentId} and d.member_id = m.id`}
		cross join need n
		left join "group" g on g.id = n.group_id
		left join group_membership gm on gm.group_id = n.group_id and gm.member_id = m.id
		where m.id = ${memberId} and n.id = ${needId} and n.duplicate_of_id is null
		for key share of ${deploymentId === null ? sql`m` : sql`m, d`} for no key update of n`.execute(tx.db);
	const row = result.rows[0];
	if (!row) return null;
	const { m_org_key, g_visibility, gm_role, gm_state, ...columns } = row;
	const { asynchronous_commit: _, ...need } = columns as typeof columns & { asynchronous_commit?: string };
	const group: GroupFacts | null = g_visibility === null ? null : { visibility: g_visibility };
	const membership: MembershipFacts | null = gm_role === null || gm_state === null ? null : { role: gm_role, state: gm_state };
	return { need, who: { memberId, orgKey: m_org_key }, group, membership };
}

/** What a support or withdrawal needs of the root it locked: the policy's columns and the stored count. */
type LockedRoot = NeedPolicyRow & Pick<NeedRow, 'id' | 'support_count'>;

/** The member as the stored facts count them: who, and their organization as counted (`ORG_KEY`). */
interface SupportingMember {
	memberId: number;
	orgKey: string | null;
}

/** A member's organization as the facts count it: trimmed, lower case, blank as none (the key of need_organization_count). */
const ORG_KEY = sql<string | null>`lower(nullif(trim(m.organization), ''))`;

/** The general path's first lock (see the locking note above); `own` is false when the deployment is not the actor's. */
export async function lockEvidence(tx: TxCtx, memberId: number, deploymentId: number | null): Promise<{ who: SupportingMember; own: boolean }> {
	const member = await sql<{ org_key: string | null }>`select ${ORG_KEY} as org_key from member m where m.id = ${memberId} for key share`.execute(tx.db);
	if (!member.rows[0]) throw unauthenticated('Your account is gone; sign in again.');
	const who = { memberId, orgKey: member.rows[0].org_key };
	if (deploymentId === null) return { who, own: true };
	const own = await tx.db
		.selectFrom('deployment')
		.select('id')
		.where('id', '=', deploymentId)
		.where('member_id', '=', memberId)
		.forKeyShare()
		.executeTakeFirst();
	return { who, own: !!own };
}

const hiddenOrNot = (root: Pick<NeedRow, 'hidden_at'>, what: string) =>
	forbidden(root.hidden_at ? 'This need is hidden by a moderator and takes no support.' : `You may not ${what} this need.`);

/**
 * The family of a root (the need and the needs merged into it) read once, as the first part of a support
 * or withdrawal statement: `fam.ids`. Every other part takes its ids from there (`= any(FAMILY)`, an index
 * condition), which also keeps the statement cheap to plan.
 */
const familyCte = (rootId: number) =>
	sql`fam as materialized (select array(select f.id from need f where f.id = ${rootId} or f.duplicate_of_id = ${rootId}) as ids)`;
const FAMILY = sql<number[]>`((select fam.ids from fam)::bigint[])`;

/**
 * How many people of the member's organization support the family now (need_organization_count, by
 * primary key; 0 for a member of none): 0 before a support means the organization is new to it, 1 before
 * a withdrawal means it leaves with the member.
 */
const organizationSupporters = (rootId: number, orgKey: string | null) =>
	sql<number>`coalesce((select oc.supporters from need_organization_count oc where oc.need_id = ${rootId} and oc.organization = cast(${orgKey} as text)), 0)`;

/** "Someone in the family other than the member cites this deployment": it would stay counted. */
const deploymentStays = (memberId: number, deploymentId: RawBuilder<number>) => sql<boolean>`exists (
	select 1 from support o where o.deployment_id = ${deploymentId} and o.member_id <> ${memberId} and o.need_id = any(${FAMILY}))`;

/**
 * Writes the actor's support on a root (insert, or new evidence on their row) and moves the root's stored
 * facts by the difference it makes, in one statement; the caller holds the member's and the root's locks.
 * Every part of the statement reads the rows as they were before it, so `mine` is the actor's rows in the
 * family before the write.
 */
async function putSupport(db: Executor, root: LockedRoot, who: SupportingMember, evidence: { deploymentId: number | null; impact: string | null }, now: Date) {
	const rootId = root.id;
	const memberId = who.memberId;
	const result = await sql<{ support_count: number; following: boolean }>`${PREPARED}
		with ${familyCte(rootId)},
		mine as materialized (
			select s.need_id, s.deployment_id from support s where s.member_id = ${memberId} and s.need_id = any(${FAMILY})
		),
		put as (
			insert into support (need_id, member_id, deployment_id, impact, created_at)
			values (${rootId}, ${memberId}, ${evidence.deploymentId}, ${evidence.impact}, ${now})
			on conflict (need_id, member_id) do update set deployment_id = excluded.deployment_id, impact = excluded.impact
			returning need_id
		),
		-- The deployments the actor cites in the family before (-1) and after (+1) the write; those in both cancel out.
		cited as (
			select c.id, sum(c.w)::int as sign from (
				select distinct b.deployment_id as id, -1 as w from mine b where b.deployment_id is not null
				union all
				select distinct a.deployment_id, 1 from (
					select x.deployment_id from mine x where x.need_id <> ${rootId}
					union all
					select cast(${evidence.deploymentId} as bigint)
				) a where a.deployment_id is not null
			) c group by c.id
		),
		deployments as (
			select coalesce(sum(c.sign), 0)::int as n, coalesce(sum(c.sign * coalesce(d.nodes, 0)), 0)::bigint as nodes,
				coalesce(sum(c.sign * coalesce(d.instances, 0)), 0)::bigint as instances
			from cited c join deployment d on d.id = c.id
			where c.sign <> 0 and not ${deploymentStays(memberId, sql<number>`c.id`)}
		),
		person as (
			select j.joins, (j.joins and cast(${who.orgKey} as text) is not null and ${organizationSupporters(rootId, who.orgKey)} = 0) as new_organization
			from (select not exists (select 1 from mine) as joins) j
		),
		organizations as (
			insert into need_organization_count (need_id, organization, supporters)
			select cast(${rootId} as bigint), cast(${who.orgKey} as text), 1 from person p
			where p.joins and cast(${who.orgKey} as text) is not null
			on conflict (need_id, organization) do update set supporters = need_organization_count.supporters + 1
		),
		segments as (
			insert into need_segment_count (need_id, segment, supporters)
			select ${rootId}, seg, 1 from person p, member m cross join lateral unnest(m.segments) as seg
			where p.joins and m.id = ${memberId}
			on conflict (need_id, segment) do update set supporters = need_segment_count.supporters + 1
		)
		update need set
			support_count = support_count + case when p.joins then 1 else 0 end,
			organization_count = organization_count + case when p.new_organization then 1 else 0 end,
			deployment_count = deployment_count + d.n,
			deployment_nodes = deployment_nodes + d.nodes,
			deployment_instances = deployment_instances + d.instances
		from person p, deployments d
		where need.id = ${rootId}
		returning need.support_count,
			exists (select 1 from need_follow f where f.member_id = ${memberId} and f.need_id = any(${FAMILY})) as following`.execute(db);
	const row = result.rows[0];
	return { supportCount: Number(row.support_count), following: Boolean(row.following) };
}

/**
 * Deletes the actor's supports in a root's family and takes them out of the root's stored facts, in one
 * statement; the caller holds the member's and the root's locks. Returns the duplicates that lost a row:
 * their own facts are recounted by the caller (rare: supports given before a merge).
 */
async function dropSupport(db: Executor, root: LockedRoot, who: SupportingMember) {
	const rootId = root.id;
	const memberId = who.memberId;
	const result = await sql<{ support_count: number; following: boolean; touched: number[] }>`${PREPARED}
		with ${familyCte(rootId)},
		gone as (
			delete from support where member_id = ${memberId} and need_id = any(${FAMILY}) returning need_id, deployment_id
		),
		deployments as (
			select count(*)::int as n, coalesce(sum(d.nodes), 0)::bigint as nodes, coalesce(sum(d.instances), 0)::bigint as instances
			from (select distinct g.deployment_id as id from gone g where g.deployment_id is not null) c
			join deployment d on d.id = c.id
			where not ${deploymentStays(memberId, sql<number>`c.id`)}
		),
		person as (
			select (cast(${who.orgKey} as text) is not null and ${organizationSupporters(rootId, who.orgKey)} = 1) as last_of_organization
		),
		organizations as (
			update need_organization_count oc set supporters = oc.supporters - 1
			where oc.need_id = ${rootId} and oc.organization = cast(${who.orgKey} as text) and exists (select 1 from gone)
		),
		segments as (
			update need_segment_count c set supporters = c.supporters - 1
			from member m cross join lateral unnest(m.segments) as seg
			where m.id = ${memberId} and c.need_id = ${rootId} and c.segment = seg and exists (select 1 from gone)
		),
		counted as (
			update need set
				support_count = support_count - 1,
				organization_count = organization_count - case when p.last_of_organization then 1 else 0 end,
				deployment_count = deployment_count - d.n,
				deployment_nodes = deployment_nodes - d.nodes,
				deployment_instances = deployment_instances - d.instances
			from person p, deployments d
			where need.id = ${rootId} and exists (select 1 from gone)
			returning need.support_count
		)
		select coalesce((select c.support_count from counted c), (select n.support_count from need n where n.id = ${rootId})) as support_count,
			exists (select 1 from need_follow f where f.member_id = ${memberId} and f.need_id = any(${FAMILY})) as following,
			array(select distinct g.need_id from gone g where g.need_id <> ${rootId}) as touched`.execute(db);
	const row = result.rows[0];
	return { supportCount: Number(row.support_count), following: Boolean(row.following), touched: row.touched.map(Number) };
}

/**
 * Supports a need, once per member: the (need, member) primary key is the lock, and supporting again
 * updates the evidence instead of failing. Evidence is optional: one of the actor's own deployments and
 * a short impact note. Supporting a duplicate supports the need it was merged into (`redirectedFrom`).
 */
export async function supportNeed(ctx: Ctx, needId: number, input: SupportNeedInput): Promise<SupportState> {
	const actor = requireActor(ctx, 'Sign in to support a need.');
	const data = parseInput(supportInput, input ?? {});
	const asynchronousCommit = mayCommitAsynchronously(ctx);
	return retryingTransaction(ctx, async (tx) => {
		let root: LockedRoot;
		let who: SupportingMember;
		const fast = await lockOwnRoot(tx, needId, actor.memberId, data.deploymentId, { asynchronousCommit });
		if (fast) {
			const abilities = needAbilities(tx.actor, needFacts(fast.need), fast.group, fast.membership);
			if (!abilities.read) throw notFound('The need');
			if (!abilities.support) throw hiddenOrNot(fast.need, 'support');
			root = fast.need;
			who = fast.who;
		} else {
			if (asynchronousCommit) await commitAsynchronously(tx);
			const evidence = await lockEvidence(tx, actor.memberId, data.deploymentId);
			root = await lockedRootFor(tx, needId, 'support');
			if (!evidence.own) throw invalid({ deploymentId: 'Pick one of your own deployments.' });
			who = evidence.who;
		}
		const state = await putSupport(tx.db, root, who, data, tx.now());
		return {
			needId: root.id,
			redirectedFrom: root.id === needId ? null : needId,
			supportCount: state.supportCount,
			supporting: true,
			following: state.following
		};
	});
}

/**
 * Withdraws the actor's support from a need's family: the need (or, for a duplicate, the need it was
 * merged into) and every need merged into it, so the person no longer counts there at all. Withdrawing
 * what was never given changes nothing.
 */
export async function withdrawSupport(ctx: Ctx, needId: number): Promise<SupportState> {
	const actor = requireActor(ctx, 'Sign in to withdraw your support.');
	const asynchronousCommit = mayCommitAsynchronously(ctx);
	return retryingTransaction(ctx, async (tx) => {
		let root: LockedRoot;
		let who: SupportingMember;
		const fast = await lockOwnRoot(tx, needId, actor.memberId, null, { asynchronousCommit });
		if (fast) {
			if (!mayReadNeed(tx.actor, needFacts(fast.need), fast.group, fast.membership)) throw notFound('The need');
			root = fast.need;
			who = fast.who;
		} else {
			if (asynchronousCommit) await commitAsynchronously(tx);
			who = (await lockEvidence(tx, actor.memberId, null)).who;
			await loadNeedAccess(tx, needId);
			root = await lockFamilyRoot(tx.db, needId);
		}
		const state = await dropSupport(tx.db, root, who);
		if (state.touched.length) await recountSupport(tx.db, state.touched);
		return {
			needId: root.id,
			redirectedFrom: root.id === needId ? null : needId,
			supportCount: state.supportCount,
			supporting: false,
			following: state.following
		};
	});
}

/** Follows a need (a duplicate: the need it was merged into). Following twice changes nothing. */
export async function followNeed(ctx: Ctx, needId: number): Promise<SupportState> {
	const actor = requireActor(ctx, 'Sign in to follow a need.');
	return retryingTransaction(ctx, async (tx) => {
		const root = await lockedRootFor(tx, needId, 'follow');
		await tx.db
			.insertInto('need_follow')
			.values({ need_id: root.id, member_id: actor.memberId, created_at: tx.now() })
			.onConflict((oc) => oc.columns(['need_id', 'member_id']).doNothing())
			.execute();
		return stateOf(tx.db, root.id, needId, actor.memberId);
	});
}

/** Stops following a need's family (the need and the needs merged into it). */
export async function unfollowNeed(ctx: Ctx, needId: number): Promise<SupportState> {
	const actor = requireActor(ctx, 'Sign in first.');
	return retryingTransaction(ctx, async (tx) => {
		await loadNeedAccess(tx, needId);
		const root = await lockFamilyRoot(tx.db, needId);
		await tx.db.deleteFrom('need_follow').where('member_id', '=', actor.memberId).where('need_id', 'in', familyIds(tx.db, root.id)).execute();
		return stateOf(tx.db, root.id, needId, actor.memberId);
	});
}

/** The actor's standing on a need (for pages): count, and whether they support and follow its family. */
export async function getSupportState(ctx: Ctx, needId: number): Promise<SupportState | null> {
	if (!ctx.actor) return null;
	const { need } = await loadNeedAccess(ctx, needId);
	return stateOf(ctx.db, need.duplicate_of_id ?? need.id, needId, ctx.actor.memberId);
}
