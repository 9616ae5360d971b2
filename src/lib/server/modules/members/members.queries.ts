import { sql } from 'kysely';
import { requireActor, type Actor, type Ctx } from '#lib/server/platform/context.ts';
import { textArray } from '#lib/server/platform/db/sql.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { hashSecret } from '#lib/server/platform/auth/secrets.ts';
import { requireAdminister } from './members.policy.ts';
import type { ApiTokenRow, DeploymentRow, MemberRow, Segment } from './members.tables.ts';

/** A member as others see them; the e-mail is only in `Account`, for the member and admins. */
export interface Member {
	id: number;
	handle: string;
	displayName: string;
	organization: string | null;
	segments: Segment[];
	bio: string;
	isAdmin: boolean;
	joinedAt: Date;
}

export interface Account extends Member {
	email: string;
	emailVerified: boolean;
	hasPassword: boolean;
}

export interface Deployment {
	id: number;
	name: string;
	nodes: number | null;
	instances: number | null;
	releases: string[];
	components: string[];
	region: string | null;
	updatedAt: Date;
}

/** A personal API token as its owner sees it; the secret itself is never stored. */
export interface ApiToken {
	id: number;
	name: string;
	/** The first characters of the secret, so its owner can tell tokens apart. */
	prefix: string;
	createdAt: Date;
	lastUsedAt: Date | null;
}

/** One line of the audit log. */
export interface ActivityEntry {
	id: number;
	at: Date;
	actorHandle: string | null;
	action: string;
	subjectType: string;
	subjectId: number | null;
	/** The handle, when the subject is a member. */
	subjectHandle: string | null;
	data: Record<string, unknown>;
}

export function toMember(row: MemberRow): Member {
	return {
		id: row.id,
		handle: row.handle,
		displayName: row.display_name,
		organization: row.organization,
		segments: row.segments,
		bio: row.bio,
		isAdmin: row.is_admin,
		joinedAt: row.created_at
	};
}

export function toAccount(row: MemberRow): Account {
	return { ...toMember(row), email: row.email, emailVerified: row.email_verified, hasPassword: row.password_hash !== null };
}

export function toDeployment(row: DeploymentRow): Deployment {
	return {
		id: row.id,
		name: row.name,
		nodes: row.nodes,
		instances: row.instances,
		releases: row.releases,
		components: row.components,
		region: row.region,
		updatedAt: row.updated_at
	};
}

export function toApiToken(row: ApiTokenRow): ApiToken {
	return { id: row.id, name: row.name, prefix: row.prefix, createdAt: row.created_at, lastUsedAt: row.last_used_at };
}

export function toActor(row: Pick<MemberRow, 'id' | 'handle' | 'display_name' | 'is_admin'>, via: Actor['via']): Actor {
	return { memberId: row.id, handle: row.handle, displayName: row.display_name, isAdmin: row.is_admin, via };
}

export async function countMembers(db: Executor): Promise<number> {
	const { count } = await db
		.selectFrom('member')
		.select((eb) => eb.fn.countAll<number>().as('count'))
		.executeTakeFirstOrThrow();
	return count;
}

/** Whether the site has an administrator: until it has, /setup is the only door (issue 11). */
export async function hasAdministrator(db: Executor): Promise<boolean> {
	const row = await db.selectFrom('member').select('id').where('is_admin', '=', true).limit(1).executeTakeFirst();
	return row !== undefined;
}

export async function findMemberRowByEmail(db: Executor, email: string): Promise<MemberRow | undefined> {
	return db
		.selectFrom('member')
		.selectAll()
		.where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
		.executeTakeFirst();
}

export async function getMemberByHandle(ctx: Ctx, handle: string): Promise<Member | undefined> {
	const row = await ctx.db
		.selectFrom('member')
		.selectAll()
		.where((eb) => eb(eb.fn('lower', ['handle']), '=', handle.toLowerCase()))
		.executeTakeFirst();
	return row && toMember(row);
}

/** A member's id and handle by handle (any case), for a command naming a member; undefined when there is none. */
export async function findMemberRefByHandle(db: Executor, handle: string): Promise<{ id: number; handle: string } | undefined> {
	if (handle.length > 100) return undefined;
	return db.selectFrom('member').select(['id', 'handle']).where('handle', '=', handle.toLowerCase()).executeTakeFirst();
}

/**
 * The members with these handles (any case; unknown ones are left out), for text that names them: a
 * comment's `@handle` links and tells them. Member pages are public, so this answers anyone.
 */
export async function memberRefsByHandles(db: Executor, handles: readonly string[]): Promise<{ id: number; handle: string; displayName: string }[]> {
	const wanted = [...new Set(handles.filter((h) => h.length <= 100).map((h) => h.toLowerCase()))];
	if (!wanted.length) return [];
	const rows = await db.selectFrom('member').select(['id', 'handle', 'display_name']).where('handle', 'in', wanted).execute();
	return rows.map((r) => ({ id: Number(r.id), handle: r.handle, displayName: r.display_name }));
}

/** The releases each of the deployments `ids` runs, by deployment id. */
export async function deploymentReleases(db: Executor, ids: readonly number[]): Promise<Map<number, string[]>> {
	if (!ids.length) return new Map();
	const rows = await db
		.selectFrom('deployment')
		.select(['id', 'releases'])
		.where('id', 'in', [...ids])
		.execute();
	return new Map(rows.map((d) => [Number(d.id), d.releases]));
}

export async function getAccount(ctx: Ctx, memberId: number): Promise<Account | undefined> {
	const row = await ctx.db.selectFrom('member').selectAll().where('id', '=', memberId).executeTakeFirst();
	return row && toAccount(row);
}

export async function listDeployments(ctx: Ctx, memberId: number): Promise<Deployment[]> {
	const rows = await ctx.db.selectFrom('deployment').selectAll().where('member_id', '=', memberId).orderBy('name').orderBy('id').execute();
	return rows.map(toDeployment);
}

/** One of the acting member's deployments, or undefined when it is not theirs or does not exist. */
export async function getOwnDeployment(ctx: Ctx, deploymentId: number): Promise<Deployment | undefined> {
	const actor = requireActor(ctx);
	const row = await ctx.db.selectFrom('deployment').selectAll().where('id', '=', deploymentId).where('member_id', '=', actor.memberId).executeTakeFirst();
	return row && toDeployment(row);
}

/** The member's live (not revoked) API tokens, newest first. */
export async function listTokens(ctx: Ctx, memberId: number): Promise<ApiToken[]> {
	const rows = await ctx.db
		.selectFrom('api_token')
		.selectAll()
		.where('member_id', '=', memberId)
		.where('revoked_at', 'is', null)
		.orderBy('created_at', 'desc')
		.orderBy('id', 'desc')
		.execute();
	return rows.map(toApiToken);
}

export interface MemberListOptions {
	query?: string;
	segment?: Segment;
	/** Keyset cursor: the handle after which to continue. */
	after?: string;
	limit?: number;
}

/**
 * The directory's query. Handles are stored lower-case, so ordering and the cursor go by lower(handle)
 * and walk the unique index on it; the segment filter is an array containment the GIN index answers.
 */
function memberPage(ctx: Ctx, options: MemberListOptions & { adminsOnly?: boolean }) {
	const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
	let query = ctx.db
		.selectFrom('member')
		.selectAll()
		.orderBy(sql`lower(handle)`)
		.limit(limit + 1);
	if (options.query) {
		const pattern = `%${options.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
		query = query.where((eb) => eb.or([eb('handle', 'ilike', pattern), eb('display_name', 'ilike', pattern), eb('organization', 'ilike', pattern)]));
	}
	if (options.segment) query = query.where(sql<boolean>`segments @> ${textArray([options.segment])}`);
	if (options.adminsOnly) query = query.where('is_admin', '=', true);
	if (options.after) query = query.where((eb) => eb(eb.fn('lower', ['handle']), '>', options.after!.toLowerCase()));
	return { query, limit };
}

export async function listMembers(ctx: Ctx, options: MemberListOptions = {}): Promise<{ members: Member[]; next: string | null }> {
	const { query, limit } = memberPage(ctx, options);
	const rows = await query.execute();
	const page = rows.slice(0, limit).map(toMember);
	return { members: page, next: rows.length > limit ? page[page.length - 1].handle : null };
}

/** The member list with e-mails, for administrators only. */
export async function listAccounts(
	ctx: Ctx,
	options: MemberListOptions & { adminsOnly?: boolean } = {}
): Promise<{ accounts: Account[]; next: string | null }> {
	requireAdminister(ctx.actor);
	const { query, limit } = memberPage(ctx, options);
	const rows = await query.execute();
	const page = rows.slice(0, limit).map(toAccount);
	return { accounts: page, next: rows.length > limit ? page[page.length - 1].handle : null };
}

export interface MemberStats {
	members: number;
	admins: number;
	joinedLast30Days: number;
	deployments: number;
}

/** Counts for the administration overview. */
export async function memberStats(ctx: Ctx): Promise<MemberStats> {
	requireAdminister(ctx.actor);
	const since = new Date(ctx.now().getTime() - 30 * 86_400_000);
	const row = await ctx.db
		.selectFrom('member')
		.select((eb) => [
			eb.fn.countAll<number>().as('members'),
			eb.fn.sum<number>(eb.case().when('is_admin', '=', true).then(1).else(0).end()).as('admins'),
			eb.fn.sum<number>(eb.case().when('created_at', '>', since).then(1).else(0).end()).as('joined'),
			eb
				.selectFrom('deployment')
				.select((d) => d.fn.countAll<number>().as('n'))
				.as('deployments')
		])
		.executeTakeFirstOrThrow();
	return {
		members: Number(row.members),
		admins: Number(row.admins ?? 0),
		joinedLast30Days: Number(row.joined ?? 0),
		deployments: Number(row.deployments ?? 0)
	};
}

/** The audit log, newest first, for administrators only; `before` is a keyset cursor on the entry id. */
export async function listActivity(ctx: Ctx, options: { before?: number; limit?: number } = {}): Promise<{ entries: ActivityEntry[]; next: number | null }> {
	requireAdminister(ctx.actor);
	const limit = Math.min(Math.max(options.limit ?? 100, 1), 200);
	let query = ctx.db
		.selectFrom('activity')
		.leftJoin('member as actor', 'actor.id', 'activity.actor_id')
		.leftJoin('member as subject', (join) => join.onRef('subject.id', '=', 'activity.subject_id').on('activity.subject_type', '=', 'member'))
		.select([
			'activity.id',
			'activity.at',
			'activity.action',
			'activity.subject_type',
			'activity.subject_id',
			'activity.data',
			'actor.handle as actor_handle',
			'subject.handle as subject_handle'
		])
		.orderBy('activity.id', 'desc')
		.limit(limit + 1);
	if (options.before) query = query.where('activity.id', '<', options.before);
	const rows = await query.execute();
	const entries = rows.slice(0, limit).map((row) => ({
		id: row.id,
		at: row.at,
		actorHandle: row.actor_handle,
		action: row.action,
		subjectType: row.subject_type,
		subjectId: row.subject_id,
		subjectHandle: row.subject_handle,
		data: row.data
	}));
	return { entries, next: rows.length > limit ? entries[entries.length - 1].id : null };
}

/** The member behind a session cookie, if the session is alive; also slides its expiry. */
export async function actorForSession(db: Executor, cookieValue: string, now: Date): Promise<Actor | null> {
	const row = await db
		.selectFrom('session')
		.innerJoin('member', 'member.id', 'session.member_id')
		.select(['member.id', 'member.handle', 'member.display_name', 'member.is_admin', 'session.id_hash', 'session.last_seen_at'])
		.where('session.id_hash', '=', hashSecret(cookieValue))
		.where('session.expires_at', '>', now)
		.executeTakeFirst();
	if (!row) return null;
	// Touch at most once a minute so reading pages does not turn into a write per request.
	if (now.getTime() - row.last_seen_at.getTime() > 60_000) {
		await db
			.updateTable('session')
			.set({ last_seen_at: now, expires_at: new Date(now.getTime() + SESSION_DAYS * 86_400_000) })
			.where('id_hash', '=', row.id_hash)
			.execute();
	}
	return toActor(row, 'session');
}

export const SESSION_DAYS = 30;

/** The member behind a bearer token, if it is live; records when it was last used. */
export async function actorForToken(db: Executor, token: string, now: Date): Promise<Actor | null> {
	const row = await db
		.selectFrom('api_token')
		.innerJoin('member', 'member.id', 'api_token.member_id')
		.select(['member.id', 'member.handle', 'member.display_name', 'member.is_admin', 'api_token.id as token_id', 'api_token.last_used_at'])
		.where('api_token.token_hash', '=', hashSecret(token))
		.where('api_token.revoked_at', 'is', null)
		.executeTakeFirst();
	if (!row) return null;
	if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
		await db.updateTable('api_token').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
	}
	return toActor(row, 'token');
}
