import { sql } from 'kysely';
import { requireActor, type Ctx } from '#lib/server/platform/context.ts';
import type { NotificationRecord } from '#lib/server/platform/notifications.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { leadGroupIds } from '#lib/server/modules/groups/index.ts';
import { loadNeedAccess } from './needs.access.ts';
import { mayModerateNeed } from './needs.policy.ts';
import type { NeedStatus } from './needs.tables.ts';
import { needReadableBy } from './needs.visibility.ts';
import type { MemberRef } from './needs.comments.ts';
import { toIds } from './needs.triage.ts';

/*
 * Reads about what happened to a need: its status history, merges and splits, and moderation. Every
 * other need named in an answer is one the actor may read; the rest are left out, so a closed group's
 * need never shows up through another need's history.
 */

export interface NeedRef {
	id: number;
	title: string;
	status: NeedStatus;
}

export type HistoryKind = 'status' | 'merge' | 'split' | 'moderation';

export interface HistoryEntry {
	at: Date;
	kind: HistoryKind;
	/**
	 * status: status_changed. merge: merged_into, merged_from, merge_undone (this need's merge into
	 * `otherNeed` undone), unmerged_from (a need merged into this one was taken back). split: split_to,
	 * split_from. moderation: hidden, unhidden, locked, unlocked, published, comment_hidden, comment_deleted.
	 */
	action: string;
	actor: MemberRef | null;
	reason: string | null;
	fromStatus: NeedStatus | null;
	toStatus: NeedStatus | null;
	otherNeed: NeedRef | null;
	mergeId: number | null;
	commentId: number | null;
}

export interface MergeRecord {
	id: number;
	source: NeedRef;
	target: NeedRef;
	reason: string;
	actor: MemberRef | null;
	mergedAt: Date;
	previousStatus: NeedStatus;
	carriedIds: number[];
	undoneAt: Date | null;
	undoneBy: MemberRef | null;
	/** Still in force and undoable right now by the reader. */
	undoable: boolean;
}

/** Moderation actions everyone who reads the need sees; the rest (hiding, comment moderation) only its moderators. */
const PUBLIC_MODERATION = new Set(['locked', 'unlocked', 'published']);
const MODERATION = new Set(['hidden', 'unhidden', 'locked', 'unlocked', 'published', 'comment_hidden', 'comment_deleted']);

async function memberRefs(db: Executor, ids: readonly (number | null)[]): Promise<Map<number, MemberRef>> {
	const wanted = [...new Set(ids.filter((id): id is number => id !== null).map(Number))];
	if (!wanted.length) return new Map();
	const rows = await db.selectFrom('member').select(['id', 'handle', 'display_name']).where('id', 'in', wanted).execute();
	return new Map(rows.map((r) => [Number(r.id), { id: Number(r.id), handle: r.handle, displayName: r.display_name }]));
}

/** The needs among `ids` that the actor may read. */
async function readableNeeds(ctx: Ctx, ids: readonly number[]): Promise<Map<number, NeedRef>> {
	const wanted = [...new Set(ids.map(Number))];
	if (!wanted.length) return new Map();
	const rows = await ctx.db.selectFrom('need').select(['id', 'title', 'status']).where('id', 'in', wanted).where(needReadableBy(ctx.actor)).execute();
	return new Map(rows.map((r) => [Number(r.id), { id: Number(r.id), title: r.title, status: r.status }]));
}

const num = (value: unknown) => (typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null);
const str = (value: unknown) => (typeof value === 'string' ? value : null);

/** A need's history as the actor may see it, oldest first. `not_found` for a need the actor may not read. */
export async function getNeedHistory(ctx: Ctx, needId: number): Promise<HistoryEntry[]> {
	const { need, group, membership } = await loadNeedAccess(ctx, needId);
	const moderator = mayModerateNeed(ctx.actor, group, membership);
	const [statuses, merges, events] = await Promise.all([
		ctx.db.selectFrom('need_status_change').selectAll().where('need_id', '=', need.id).orderBy('at').orderBy('id').execute(),
		ctx.db
			.selectFrom('need_merge')
			.selectAll()
			.where((eb) => eb.or([eb('source_id', '=', need.id), eb('target_id', '=', need.id)]))
			.orderBy('id')
			.execute(),
		ctx.db
			.selectFrom('activity')
			.selectAll()
			.where('subject_type', '=', 'need')
			.where('subject_id', '=', need.id)
			.where('action', 'in', ['need.split', 'need.split_from', ...[...MODERATION].map((a) => `need.${a}`)])
			.orderBy('at')
			.orderBy('id')
			.execute()
	]);
	const otherIds = [
		...merges.map((m) => (Number(m.source_id) === need.id ? Number(m.target_id) : Number(m.source_id))),
		...events.flatMap((e) => [num(e.data.newId), num(e.data.fromId)].filter((id): id is number => id !== null))
	];
	const [needs, people] = await Promise.all([
		readableNeeds(ctx, otherIds),
		memberRefs(ctx.db, [...statuses.map((s) => s.actor_id), ...merges.flatMap((m) => [m.actor_id, m.undone_by]), ...events.map((e) => e.actor_id)])
	]);
	const who = (id: number | null) => (id === null ? null : (people.get(Number(id)) ?? null));
	const blank = { reason: null, fromStatus: null, toStatus: null, otherNeed: null, mergeId: null, commentId: null };
	const entries: HistoryEntry[] = [];

	for (const s of statuses) {
		entries.push({
			...blank,
			at: s.at,
			kind: 'status',
			action: 'status_changed',
			actor: who(s.actor_id),
			reason: s.reason,
			fromStatus: s.from_status,
			toStatus: s.to_status
		});
	}
	for (const m of merges) {
		const outgoing = Number(m.source_id) === need.id;
		const other = needs.get(outgoing ? Number(m.target_id) : Number(m.source_id));
		if (!other) continue;
		const common = { ...blank, kind: 'merge' as const, otherNeed: other, mergeId: Number(m.id) };
		entries.push({ ...common, at: m.merged_at, action: outgoing ? 'merged_into' : 'merged_from', actor: who(m.actor_id), reason: m.reason });
		if (m.undone_at) entries.push({ ...common, at: m.undone_at, action: outgoing ? 'merge_undone' : 'unmerged_from', actor: who(m.undone_by) });
	}
	for (const e of events) {
		const action = e.action.replace(/^need\./, '');
		if (action === 'split' || action === 'split_from') {
			const other = needs.get(num(action === 'split' ? e.data.newId : e.data.fromId) ?? -1);
			if (!other) continue;
			entries.push({
				...blank,
				at: e.at,
				kind: 'split',
				action: action === 'split' ? 'split_to' : 'split_from',
				actor: who(e.actor_id),
				reason: str(e.data.reason),
				otherNeed: other
			});
			continue;
		}
		if (!moderator && !PUBLIC_MODERATION.has(action)) continue;
		if (action === 'comment_deleted' && e.data.byAuthor === true) continue;
		entries.push({ ...blank, at: e.at, kind: 'moderation', action, actor: who(e.actor_id), reason: str(e.data.reason), commentId: num(e.data.commentId) });
	}
	const order: Record<HistoryKind, number> = { status: 1, merge: 0, split: 2, moderation: 3 };
	return entries.sort((a, b) => a.at.getTime() - b.at.getTime() || order[a.kind] - order[b.kind]);
}

/** The merges this need took part in (into it, and of it), newest first, with what the reader may undo. */
export async function listMerges(ctx: Ctx, needId: number): Promise<MergeRecord[]> {
	const { need } = await loadNeedAccess(ctx, needId);
	const rows = await ctx.db
		.selectFrom('need_merge')
		.selectAll()
		.where((eb) => eb.or([eb('source_id', '=', need.id), eb('target_id', '=', need.id)]))
		.orderBy('id', 'desc')
		.execute();
	if (!rows.length) return [];
	const ids = rows.flatMap((m) => [Number(m.source_id), Number(m.target_id)]);
	const [needs, people, pointers, moderated, latest] = await Promise.all([
		readableNeeds(ctx, ids),
		memberRefs(
			ctx.db,
			rows.flatMap((m) => [m.actor_id, m.undone_by])
		),
		ctx.db.selectFrom('need').select(['id', 'duplicate_of_id']).where('id', 'in', ids).execute(),
		moderatedNeedIds(ctx, ids),
		ctx.db
			.selectFrom('need_merge')
			.select(['id', 'source_id', 'target_id', 'carried_ids'])
			.where('undone_at', 'is', null)
			.where((eb) => eb.or([eb('source_id', 'in', ids), eb('target_id', 'in', ids), sql<boolean>`carried_ids && array[${sql.join(ids)}]::bigint[]`]))
			.execute()
	]);
	const pointsTo = new Map(pointers.map((p) => [Number(p.id), p.duplicate_of_id === null ? null : Number(p.duplicate_of_id)]));
	const who = (id: number | null) => (id === null ? null : (people.get(Number(id)) ?? null));
	const records: MergeRecord[] = [];
	for (const m of rows) {
		const source = needs.get(Number(m.source_id));
		const target = needs.get(Number(m.target_id));
		if (!source || !target) continue;
		const later = latest.some(
			(l) =>
				Number(l.id) > Number(m.id) &&
				(Number(l.source_id) === Number(m.source_id) || Number(l.source_id) === Number(m.target_id) || toIds(l.carried_ids).includes(Number(m.source_id)))
		);
		records.push({
			id: Number(m.id),
			source,
			target,
			reason: m.reason,
			actor: who(m.actor_id),
			mergedAt: m.merged_at,
			previousStatus: m.source_previous_status,
			carriedIds: toIds(m.carried_ids),
			undoneAt: m.undone_at,
			undoneBy: who(m.undone_by),
			undoable: !m.undone_at && !later && pointsTo.get(Number(m.source_id)) === Number(m.target_id) && moderated.has(source.id) && moderated.has(target.id)
		});
	}
	return records;
}

/** Of `ids`, the needs the actor moderates (their group's lead, or an administrator). */
async function moderatedNeedIds(ctx: Ctx, ids: readonly number[]): Promise<Set<number>> {
	if (!ctx.actor || !ids.length) return new Set();
	const actor = ctx.actor;
	let query = ctx.db
		.selectFrom('need')
		.select('need.id')
		.where('need.id', 'in', [...new Set(ids)]);
	if (!actor.isAdmin) {
		query = query.where('need.group_id', 'in', leadGroupIds(actor));
	}
	return new Set((await query.execute()).map((r) => Number(r.id)));
}

export interface MergeCandidate extends NeedRef {
	supportCount: number;
	groupId: number | null;
}

/**
 * Needs this one could be merged into, by title similarity (pg_trgm): readable, moderated by the actor,
 * not duplicates, not hidden, not this need. A suggestion for the triage page; the merge itself checks again.
 */
export async function mergeCandidates(ctx: Ctx, needId: number, limit = 8): Promise<MergeCandidate[]> {
	const { need } = await loadNeedAccess(ctx, needId);
	if (!ctx.actor) return [];
	const moderatedGroups = ctx.actor.isAdmin ? null : leadGroupIds(ctx.actor);
	let query = ctx.db
		.selectFrom('need')
		.select(['id', 'title', 'status', 'support_count', 'group_id'])
		.where('id', '!=', need.id)
		.where('duplicate_of_id', 'is', null)
		.where('hidden_at', 'is', null)
		.where(needReadableBy(ctx.actor))
		.where(sql<boolean>`title % ${need.title}`)
		.orderBy(sql`similarity(title, ${need.title})`, 'desc')
		.orderBy('support_count', 'desc')
		.limit(limit);
	if (moderatedGroups) query = query.where('group_id', 'in', moderatedGroups);
	const rows = await query.execute();
	return rows.map((r) => ({
		id: Number(r.id),
		title: r.title,
		status: r.status,
		supportCount: Number(r.support_count),
		groupId: r.group_id === null ? null : Number(r.group_id)
	}));
}

export type { NotificationRecord };

/**
 * The actor's notification records, newest first. A record about a need the actor may no longer read
 * (they left its closed group, or it was hidden) is left out, so a closed need never shows up here.
 */
export async function listMyNotifications(
	ctx: Ctx,
	options: { before?: number | null; limit?: number } = {}
): Promise<{ notifications: NotificationRecord[]; next: number | null }> {
	const actor = requireActor(ctx, 'Sign in to read your notifications.');
	const limit = Math.min(Math.max(options.limit ?? 50, 1), 100);
	let query = ctx.db
		.selectFrom('notification')
		.selectAll()
		.where('member_id', '=', actor.memberId)
		.where((eb) =>
			eb.or([
				eb('subject_type', '!=', 'need'),
				eb('subject_id', 'is', null),
				eb.exists(eb.selectFrom('need').select('need.id').whereRef('need.id', '=', 'notification.subject_id').where(needReadableBy(actor)))
			])
		)
		.orderBy('id', 'desc')
		.limit(limit + 1);
	if (options.before) query = query.where('id', '<', options.before);
	const rows = await query.execute();
	const page = rows.slice(0, limit);
	return {
		notifications: page.map((r) => ({
			id: Number(r.id),
			kind: r.kind,
			subjectType: r.subject_type,
			subjectId: r.subject_id === null ? null : Number(r.subject_id),
			data: r.data,
			createdAt: r.created_at,
			readAt: r.read_at
		})),
		next: rows.length > limit ? Number(page.at(-1)!.id) : null
	};
}
