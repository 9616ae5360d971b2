import type { Ctx, TxCtx } from '#lib/server/platform/context.ts';
import { inTransaction } from '#lib/server/platform/context.ts';
import type { Db, Executor } from '#lib/server/platform/db/database.ts';
import { recordActivity } from '#lib/server/platform/activity.ts';
import { notify } from '#lib/server/platform/notifications.ts';
import { enqueueJob, PermanentJobError, type JobContext } from '#lib/server/platform/jobs/index.ts';
import type { JobKind } from '#lib/server/platform/module.ts';
import { notFound, unauthenticated } from '#lib/server/platform/errors.ts';
import { log } from '#lib/server/platform/log.ts';
import { groupIdOfNeed, moveNeedForUpstream, readersAmong, STATUS_LABELS, supportersAndFollowers, type NeedStatus } from '#lib/server/modules/needs/index.ts';
import { findGroupById } from '#lib/server/modules/groups/index.ts';
import type { HandoffRow, HandoffStatus, TrackerRow } from './handoff.tables.ts';
import { providerOf, trackerConnection } from './handoff.trackers.ts';
import { providerEnv } from './handoff.sandbox.ts';
import { TrackerError, type TrackerConnection, type UpstreamItem, type WebhookDelivery } from './providers/provider.ts';

/*
 * Sync: what a tracker says about an item is mapped onto its handoff and, from there, onto the need.
 *
 * The need follows the most advanced of its handoffs: delivered over in progress over handed upstream.
 * Declined upstream counts only when every handoff of the need was declined: a need one tracker refused
 * and another took is still with the developers. Each change is written with a reason naming the tracker
 * and its own word for the state, into the need's status history and the audit log; a sync that learns
 * nothing new writes nothing but the handoff's "last synced" time.
 *
 * Two ways in: webhooks (verified by the provider, applied as they arrive) and polling through the job
 * table (`handoff.poll` every 15 minutes queues one `handoff.sync` per enabled tracker; each syncs the
 * tracker's open handoffs not synced in the last 10 minutes, in batches, queueing the next batch).
 */

const ORDER: Record<HandoffStatus, number> = { declined_upstream: 0, handed_upstream: 1, in_progress: 2, delivered: 3 };
export const POLL_EVERY_MS = 15 * 60_000;
export const FRESH_MS = 10 * 60_000;
const BATCH = 200;
const CONCURRENCY = 8;

/** The need's status its handoffs call for (see the rule above); null without handoffs. */
export function needStatusFromHandoffs(statuses: readonly HandoffStatus[]): NeedStatus | null {
	if (!statuses.length) return null;
	const best = statuses.reduce((a, b) => (ORDER[b] > ORDER[a] ? b : a));
	return best === 'declined_upstream' ? 'declined' : best;
}

/** Why the need moved, naming the tracker, its state and the release when there is one. */
export function upstreamReason(trackerName: string, handoff: Pick<HandoffRow, 'upstream_key' | 'upstream_state' | 'status' | 'delivered_in'>): string {
	// The item's link is on the need page beside its handoff; the reason names it without a long URL.
	const where = `${trackerName} ${/^\d+$/.test(handoff.upstream_key) ? '#' : ''}${handoff.upstream_key}`;
	if (handoff.status === 'declined_upstream') return `Declined upstream: ${where} says “${handoff.upstream_state}”.`;
	if (handoff.status === 'delivered')
		return `Delivered${handoff.delivered_in ? ` in ${handoff.delivered_in}` : ''}: ${where} says “${handoff.upstream_state}”.`;
	if (handoff.status === 'in_progress') return `In progress upstream: ${where} says “${handoff.upstream_state}”.`;
	return `Handed upstream to ${where}; state “${handoff.upstream_state}”.`;
}

/**
 * Moves the need to what its handoffs call for, with `reason`, and tells its supporters and followers
 * who can read it. The caller holds the transaction.
 */
export async function settleNeed(tx: TxCtx, needId: number, reason: string, notifyKind: string): Promise<NeedStatus | null> {
	const rows = await tx.db.selectFrom('handoff').select('status').where('need_id', '=', needId).execute();
	const target = needStatusFromHandoffs(rows.map((r) => r.status));
	if (!target) return null;
	const moved = await moveNeedForUpstream(tx, needId, target, reason);
	if (!moved) return null;
	const people = await supportersAndFollowers(tx.db, needId);
	const group = moved.groupId === null ? null : ((await findGroupById(tx.db, moved.groupId)) ?? null);
	const readers = (await readersAmong(tx.db, { need: moved, group }, people)).filter((id) => id !== tx.actor?.memberId);
	await notify(tx, readers, {
		kind: notifyKind,
		subjectType: 'need',
		subjectId: needId,
		data: { title: moved.title, status: target, statusLabel: STATUS_LABELS[target], reason }
	});
	return target;
}

/** Every read of a batch failed in a way worth retrying: the tracker is down, not the items. */
export class TrackerUnreachableError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'TrackerUnreachableError';
	}
}

export interface SyncChange {
	handoffId: number;
	needId: number;
	tracker: string;
	from: { state: string; status: HandoffStatus; deliveredIn: string | null };
	to: { state: string; status: HandoffStatus; deliveredIn: string | null };
	needStatus: NeedStatus | null;
}

export const describeChange = (c: SyncChange) =>
	`need #${c.needId} · ${c.tracker}: ${c.from.state} → ${c.to.state}${c.to.deliveredIn ? ` (${c.to.deliveredIn})` : ''}${c.needStatus ? `; need is now ${STATUS_LABELS[c.needStatus].toLowerCase()}` : ''}`;

const systemCtx = (db: Executor, now: () => Date): Ctx => ({ db, actor: null, now });

/** Applies what the tracker reports about one handoff's item. Returns the change, or null when nothing changed. */
export async function applyUpstreamItem(ctx: Ctx, tracker: Pick<TrackerRow, 'name'>, handoffId: number, item: UpstreamItem): Promise<SyncChange | null> {
	// Most reads find nothing new: one statement records the sync when the state is what Caucus already has.
	if (!ctx.db.isTransaction) {
		const unchanged = await ctx.db
			.updateTable('handoff')
			.set({ synced_at: ctx.now(), sync_error: null })
			.where('id', '=', handoffId)
			.where('upstream_state', '=', item.state)
			.where('status', '=', item.status)
			.where((eb) => (item.deliveredIn === null ? eb('delivered_in', 'is', null) : eb('delivered_in', '=', item.deliveredIn)))
			.returning('id')
			.executeTakeFirst();
		if (unchanged) return null;
	}
	return inTransaction(ctx, async (tx) => {
		const before = await tx.db.selectFrom('handoff').selectAll().where('id', '=', handoffId).forUpdate().executeTakeFirst();
		if (!before) return null;
		const now = tx.now();
		const same = before.upstream_state === item.state && before.status === item.status && before.delivered_in === item.deliveredIn;
		if (same) {
			await tx.db.updateTable('handoff').set({ synced_at: now, sync_error: null }).where('id', '=', handoffId).execute();
			return null;
		}
		const after = await tx.db
			.updateTable('handoff')
			.set({
				upstream_state: item.state,
				status: item.status,
				delivered_in: item.deliveredIn,
				title: item.title.slice(0, 500) || before.title,
				upstream_url: item.url || before.upstream_url,
				upstream_updated_at: item.updatedAt > before.upstream_updated_at ? item.updatedAt : now,
				synced_at: now,
				sync_error: null
			})
			.where('id', '=', handoffId)
			.returningAll()
			.executeTakeFirstOrThrow();
		const needId = Number(before.need_id);
		const groupId = await groupIdOfNeed(tx.db, needId);
		const needStatus = await settleNeed(tx, needId, upstreamReason(tracker.name, after), 'need.upstream_changed');
		await recordActivity(tx, {
			action: 'handoff.synced',
			subjectType: 'need',
			subjectId: needId,
			groupId,
			data: {
				handoffId,
				tracker: tracker.name,
				url: after.upstream_url,
				from: { state: before.upstream_state, status: before.status, deliveredIn: before.delivered_in },
				to: { state: after.upstream_state, status: after.status, deliveredIn: after.delivered_in },
				needStatus
			}
		});
		return {
			handoffId,
			needId,
			tracker: tracker.name,
			from: { state: before.upstream_state, status: before.status, deliveredIn: before.delivered_in },
			to: { state: after.upstream_state, status: after.status, deliveredIn: after.delivered_in },
			needStatus
		};
	});
}

async function recordSyncError(db: Executor, handoffId: number, now: Date, message: string) {
	await db
		.updateTable('handoff')
		.set({ synced_at: now, sync_error: message.slice(0, 1000) })
		.where('id', '=', handoffId)
		.execute();
}

/** Reads each handoff's item from its tracker and applies it, a few at a time. Throws only if every read failed retryably. */
export async function syncHandoffRows(
	db: Executor,
	now: () => Date,
	tracker: TrackerRow,
	connection: TrackerConnection,
	handoffs: readonly Pick<HandoffRow, 'id' | 'upstream_key'>[]
): Promise<{ changes: SyncChange[]; errors: number }> {
	const impl = providerOf(tracker.provider);
	if (!impl) throw new PermanentJobError(`The ${tracker.provider} provider is not available.`);
	const changes: SyncChange[] = [];
	let errors = 0;
	let retryable = 0;
	let next = 0;
	const env = providerEnv({ db, now, actor: null });
	const worker = async () => {
		while (next < handoffs.length) {
			const handoff = handoffs[next++];
			try {
				const item = await impl.fetch(connection, handoff.upstream_key, env);
				const change = await applyUpstreamItem(systemCtx(db, now), tracker, Number(handoff.id), item);
				if (change) changes.push(change);
			} catch (error) {
				if (!(error instanceof TrackerError)) throw error;
				errors++;
				if (error.retryable) retryable++;
				await recordSyncError(db, Number(handoff.id), now(), error.message);
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(CONCURRENCY, handoffs.length) }, worker));
	if (handoffs.length && retryable === handoffs.length)
		throw new TrackerUnreachableError(`${tracker.name} could not be read for any of ${handoffs.length} handoffs; trying again later.`);
	return { changes, errors };
}

/** Job `handoff.sync` { trackerId, before? }: one batch of a tracker's open handoffs last synced before `before`. */
async function syncTrackerJob(job: JobContext, payload: Record<string, unknown>): Promise<string[]> {
	const trackerId = Number(payload.trackerId);
	const tracker = await job.db.selectFrom('tracker').selectAll().where('id', '=', trackerId).executeTakeFirst();
	if (!tracker || tracker.disabled_at) return [];
	let connection: TrackerConnection;
	try {
		connection = trackerConnection(tracker);
	} catch (error) {
		throw new PermanentJobError(error instanceof Error ? error.message : String(error));
	}
	const before = typeof payload.before === 'string' ? new Date(payload.before) : new Date(job.now().getTime() - FRESH_MS);
	const handoffs = await job.db
		.selectFrom('handoff')
		.select(['id', 'upstream_key'])
		.where('tracker_id', '=', trackerId)
		.where('status', 'in', ['handed_upstream', 'in_progress'])
		.where((eb) => eb.or([eb('synced_at', 'is', null), eb('synced_at', '<', before)]))
		.orderBy((eb) => eb.fn.coalesce('synced_at', eb.val(new Date(0))))
		.orderBy('id')
		.limit(BATCH)
		.execute();
	const { changes, errors } = await syncHandoffRows(job.db, job.now, tracker, connection, handoffs);
	if (handoffs.length === BATCH) {
		await enqueueJob({ db: job.db, now: job.now }, 'handoff.sync', {
			payload: { trackerId, before: before.toISOString() },
			dedupeKey: `handoff.sync:${trackerId}`
		});
	}
	const lines = changes.map(describeChange);
	if (errors) lines.push(`${tracker.name}: ${errors} of ${handoffs.length} handoffs could not be read (see each handoff’s sync error).`);
	return lines;
}

/** Job `handoff.poll`: queue a sync of every enabled tracker. */
async function pollJob(job: JobContext): Promise<void> {
	const trackers = await job.db.selectFrom('tracker').select(['id', 'provider']).where('disabled_at', 'is', null).execute();
	for (const t of trackers) {
		if (!providerOf(t.provider)) continue;
		await enqueueJob({ db: job.db, now: job.now }, 'handoff.sync', { payload: { trackerId: Number(t.id) }, dedupeKey: `handoff.sync:${t.id}` });
	}
}

/** The handoff module's sync jobs, listed in its manifest. */
export const syncJobs: Record<string, JobKind> = {
	'handoff.sync': { handler: syncTrackerJob, leaseMs: 10 * 60_000 },
	'handoff.poll': { handler: pollJob, every: POLL_EVERY_MS }
};

/**
 * Queues syncs for the CLI and the API: one tracker or all enabled ones. `all` syncs every open handoff,
 * not only those not synced in the last 10 minutes.
 */
export async function queueTrackerSyncs(ctx: Pick<Ctx, 'db' | 'now'>, options: { trackerId?: number; all?: boolean } = {}): Promise<number> {
	let query = ctx.db.selectFrom('tracker').select(['id', 'provider']).where('disabled_at', 'is', null);
	if (options.trackerId !== undefined) query = query.where('id', '=', options.trackerId);
	const trackers = (await query.execute()).filter((t) => providerOf(t.provider));
	if (options.trackerId !== undefined && !trackers.length) throw notFound('An enabled tracker with that id');
	const before = options.all ? ctx.now() : new Date(ctx.now().getTime() - FRESH_MS);
	for (const t of trackers) {
		await ctx.db.deleteFrom('job').where('dedupe_key', '=', `handoff.sync:${t.id}`).where('state', '=', 'queued').execute();
		await enqueueJob(ctx, 'handoff.sync', { payload: { trackerId: Number(t.id), before: before.toISOString() }, dedupeKey: `handoff.sync:${t.id}` });
	}
	return trackers.length;
}

export interface WebhookResult {
	received: number;
	changed: SyncChange[];
}

/**
 * A delivery to /api/v1/trackers/{id}/webhook: verified by the tracker's provider (a bad signature or
 * token is `unauthenticated`, and nothing is written), then each item it reports that Caucus handed is
 * applied. Items Caucus does not know are ignored.
 */
export async function receiveWebhook(db: Db, trackerId: number, delivery: WebhookDelivery, now: () => Date = () => new Date()): Promise<WebhookResult> {
	if (!Number.isSafeInteger(trackerId) || trackerId <= 0) throw notFound('The tracker');
	const tracker = await db.selectFrom('tracker').selectAll().where('id', '=', trackerId).executeTakeFirst();
	const impl = tracker && providerOf(tracker.provider);
	if (!tracker || tracker.disabled_at || !impl?.webhook) throw notFound('The tracker');
	let connection: TrackerConnection;
	try {
		connection = trackerConnection(tracker);
	} catch (error) {
		log.error({ err: error, trackerId }, 'webhook for a tracker whose secret cannot be read');
		throw unauthenticated('The webhook could not be verified.');
	}
	let items: UpstreamItem[] | null;
	try {
		items = await impl.webhook(connection, delivery);
	} catch (error) {
		if (error instanceof TrackerError) {
			log.warn({ err: error, trackerId }, 'webhook item could not be read back');
			return { received: 0, changed: [] };
		}
		throw error;
	}
	if (items === null) throw unauthenticated('The webhook signature or token is wrong.');
	const changed: SyncChange[] = [];
	for (const item of items) {
		const handoff = await db.selectFrom('handoff').select('id').where('tracker_id', '=', trackerId).where('upstream_key', '=', item.key).executeTakeFirst();
		if (!handoff) continue;
		const change = await applyUpstreamItem(systemCtx(db, now), tracker, Number(handoff.id), item);
		if (change) changed.push(change);
	}
	return { received: items.length, changed };
}

/** Reads each of a need's handoffs' items now and applies them; the caller has authorized the reader. */
export async function syncNeedHandoffs(ctx: Ctx, needId: number): Promise<SyncChange[]> {
	const handoffs = await ctx.db.selectFrom('handoff').select(['id', 'upstream_key', 'tracker_id']).where('need_id', '=', needId).execute();
	const changes: SyncChange[] = [];
	for (const trackerId of [...new Set(handoffs.map((h) => Number(h.tracker_id)))]) {
		const tracker = await ctx.db.selectFrom('tracker').selectAll().where('id', '=', trackerId).executeTakeFirstOrThrow();
		if (tracker.disabled_at) continue;
		let connection: TrackerConnection;
		try {
			connection = trackerConnection(tracker);
		} catch (error) {
			for (const h of handoffs.filter((h) => Number(h.tracker_id) === trackerId))
				await recordSyncError(ctx.db, Number(h.id), ctx.now(), (error as Error).message);
			continue;
		}
		const result = await syncHandoffRows(
			ctx.db,
			ctx.now,
			tracker,
			connection,
			handoffs.filter((h) => Number(h.tracker_id) === trackerId)
		).catch((error: unknown) => {
			if (error instanceof TrackerUnreachableError) return { changes: [], errors: 1 };
			throw error;
		});
		changes.push(...result.changes);
	}
	return changes;
}
