import type { Actor, Ctx } from '#lib/server/platform/context.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { hashSecret } from '#lib/server/platform/auth/secrets.ts';
import type { DeploymentRow, MemberRow, Segment } from './members.tables.ts';

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

export function toActor(row: Pick<MemberRow, 'id' | 'handle' | 'display_name' | 'is_admin'>, via: Actor['via']): Actor {
	return { memberId: row.id, handle: row.handle, displayName: row.display_name, isAdmin: row.is_admin, via };
}

export async function countMembers(db: Executor): Promise<number> {
	const { count } = await db.selectFrom('member').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
	return count;
}

export async function findMemberRowByEmail(db: Executor, email: string): Promise<MemberRow | undefined> {
	return db.selectFrom('member').selectAll().where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase())).executeTakeFirst();
}

export async function getMemberByHandle(ctx: Ctx, handle: string): Promise<Member | undefined> {
	const row = await ctx.db
		.selectFrom('member')
		.selectAll()
		.where((eb) => eb(eb.fn('lower', ['handle']), '=', handle.toLowerCase()))
		.executeTakeFirst();
	return row && toMember(row);
}

export async function getAccount(ctx: Ctx, memberId: number): Promise<Account | undefined> {
	const row = await ctx.db.selectFrom('member').selectAll().where('id', '=', memberId).executeTakeFirst();
	return row && toAccount(row);
}

export async function listDeployments(ctx: Ctx, memberId: number): Promise<Deployment[]> {
	const rows = await ctx.db.selectFrom('deployment').selectAll().where('member_id', '=', memberId).orderBy('name').orderBy('id').execute();
	return rows.map(toDeployment);
}

export interface MemberListOptions {
	query?: string;
	segment?: Segment;
	/** Keyset cursor: the handle after which to continue. */
	after?: string;
	limit?: number;
}

export async function listMembers(ctx: Ctx, options: MemberListOptions = {}): Promise<{ members: Member[]; next: string | null }> {
	const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
	let query = ctx.db.selectFrom('member').selectAll().orderBy('handle').limit(limit + 1);
	if (options.query) {
		const pattern = `%${options.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
		query = query.where((eb) => eb.or([eb('handle', 'ilike', pattern), eb('display_name', 'ilike', pattern), eb('organization', 'ilike', pattern)]));
	}
	if (options.segment) query = query.where((eb) => eb(eb.val(options.segment), '=', eb.fn.any('segments')));
	if (options.after) query = query.where('handle', '>', options.after);
	const rows = await query.execute();
	const page = rows.slice(0, limit).map(toMember);
	return { members: page, next: rows.length > limit ? page[page.length - 1].handle : null };
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
