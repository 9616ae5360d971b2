import { recordActivity } from '#lib/server/platform/activity.ts';
import { retryingTransaction, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import { AppError, conflict, forbidden, invalid, isUniqueViolation, parseInput, unauthenticated } from '#lib/server/platform/errors.ts';
import { enqueueJob, PermanentJobError, type JobContext } from '#lib/server/platform/jobs/index.ts';
import type { JobKind } from '#lib/server/platform/module.ts';
import { log } from '#lib/server/platform/log.ts';
import { loadNeedAccess, lockNeeds, needReadableBy, type NeedAccess, type NeedRow } from '#lib/server/modules/needs/index.ts';
import { gatherEvidence } from './handoff.evidence.ts';
import { HANDABLE_STATUSES, mayHandOff } from './handoff.policy.ts';
import { toHandoff, type Handoff } from './handoff.model.ts';
import { createHandoffInput, draftInput, linkHandoffInput, type CreateHandoffInput, type DraftInput, type LinkHandoffInput } from './handoff.schemas.ts';
import { settleNeed, syncNeedHandoffs, upstreamReason, type SyncChange } from './handoff.sync.ts';
import type { HandoffKind, HandoffRow, TrackerRow } from './handoff.tables.ts';
import { providerOf, trackerConnection, trackerRow } from './handoff.trackers.ts';
import { providerEnv } from './handoff.sandbox.ts';
import { TrackerError, type HandoffDraft, type NeedEvidence, type TrackerProviderImpl, type UpstreamItem } from './providers/provider.ts';

/*
 * Handing a need upstream: a draft from the tracker's provider, then the item created through the
 * tracker's API (or an existing item linked by URL), then the handoff recorded.
 *
 * The tracker is called outside any database transaction (a slow tracker must not hold locks), and only
 * then is the handoff written, in one transaction that re-checks everything. A tracker's refusal is shown
 * to the moderator and nothing is written. If the write fails after the item was created upstream (the
 * need changed meanwhile, another moderator handed it, the database went away), the created item is
 * kept as an orphan: a `handoff.orphan` job (dedupe key per need and tracker) that tries to record it as a
 * link with backoff. A moderator who tries again before that succeeds gets the orphan linked instead of a
 * second upstream item. An orphan that can never be recorded ends as a failed job whose error names its
 * URL; if even the job cannot be written, the URL is logged and shown to the moderator.
 */

/** Loads a need for a handoff command: readable (else not_found), moderated by the actor (else forbidden). */
async function handoffAccess(ctx: Ctx, needId: number): Promise<NeedAccess> {
	if (!ctx.actor) throw unauthenticated();
	const access = await loadNeedAccess(ctx, needId);
	if (!mayHandOff(ctx.actor, access.group, access.membership)) throw forbidden('Only the group’s chairs and moderators hand its needs upstream.');
	return access;
}

function requireHandable(need: NeedRow) {
	if (need.status === 'duplicate') throw conflict(`This need is merged into #${need.duplicate_of_id}; hand that need upstream instead.`);
	if (need.hidden_at) throw conflict('This need is hidden; unhide it before handing it upstream.');
	if (!(HANDABLE_STATUSES as readonly string[]).includes(need.status))
		throw conflict('Accept the need before handing it upstream.', { trackerId: 'Only accepted needs go upstream.' });
}

interface Target {
	tracker: TrackerRow;
	impl: TrackerProviderImpl;
}

async function target(ctx: Ctx, trackerId: number, kind: HandoffKind): Promise<Target> {
	let tracker: TrackerRow;
	try {
		tracker = await trackerRow(ctx.db, trackerId);
	} catch {
		throw invalid({ trackerId: 'There is no such tracker.' });
	}
	const impl = providerOf(tracker.provider);
	if (tracker.disabled_at || !impl) throw invalid({ trackerId: `${tracker.name} is not taking handoffs.` });
	if (!impl.kinds.includes(kind)) throw invalid({ kind: `${tracker.name} takes ${impl.kinds.join(' or ')} items.` });
	return { tracker, impl };
}

async function requireNotHandedThere(ctx: Ctx, needId: number, tracker: TrackerRow) {
	const existing = await ctx.db
		.selectFrom('handoff')
		.select('upstream_url')
		.where('need_id', '=', needId)
		.where('tracker_id', '=', tracker.id)
		.executeTakeFirst();
	if (existing)
		throw conflict(`This need was already handed to ${tracker.name}: ${existing.upstream_url}`, { trackerId: `Already handed to ${tracker.name}.` });
}

const trackerFailure = (tracker: TrackerRow, error: TrackerError, field = 'trackerId') =>
	new AppError(error.retryable ? 'conflict' : 'invalid_input', `${error.message}${error.retryable ? ' Try again in a moment.' : ''}`, {
		[field]: error.message
	});

export interface DraftResult {
	tracker: { id: number; name: string; provider: string; providerLabel: string };
	draft: HandoffDraft;
	evidence: NeedEvidence;
}

/** A draft in the tracker's own form, for the moderator to preview and edit. Writes nothing. */
export async function draftHandoff(ctx: Ctx, needId: number, input: DraftInput, options: { siteUrl: string }): Promise<DraftResult> {
	const access = await handoffAccess(ctx, needId);
	const data = parseInput(draftInput, input);
	requireHandable(access.need);
	const { tracker, impl } = await target(ctx, data.trackerId, data.kind);
	await requireNotHandedThere(ctx, needId, tracker);
	const evidence = await gatherEvidence(ctx, needId, options.siteUrl);
	let connection;
	try {
		connection = trackerConnection(tracker);
	} catch (error) {
		throw trackerFailure(tracker, error as TrackerError);
	}
	return {
		tracker: { id: Number(tracker.id), name: tracker.name, provider: tracker.provider, providerLabel: impl.label },
		draft: impl.draft(connection, evidence, data.kind),
		evidence
	};
}

/** Writes the handoff and moves the need, re-checking everything under the need's lock. */
async function recordHandoff(ctx: Ctx, needId: number, tracker: TrackerRow, kind: HandoffKind, item: UpstreamItem, linked: boolean): Promise<Handoff> {
	return retryingTransaction(ctx, async (tx: TxCtx) => {
		const access = tx.actor ? await handoffAccess(tx, needId) : null;
		const need = (await lockNeeds(tx.db, [needId])).get(needId)!;
		requireHandable(need);
		const now = tx.now();
		const taken = await tx.db
			.selectFrom('handoff')
			.select('need_id')
			.where('tracker_id', '=', tracker.id)
			.where('upstream_key', '=', item.key)
			.executeTakeFirst();
		if (taken) {
			// Name the other need only to someone who may read it: a closed group's need is not even said to exist (decision 0014).
			const readable = await tx.db.selectFrom('need').select('need.id').where('need.id', '=', taken.need_id).where(needReadableBy(tx.actor)).executeTakeFirst();
			if (readable) throw conflict(`That item is already linked to need #${taken.need_id}.`, { url: `Already linked to need #${taken.need_id}.` });
			throw conflict('That item is already linked to another need.', { url: 'Already linked to another need.' });
		}
		let row: HandoffRow;
		try {
			row = await tx.db
				.insertInto('handoff')
				.values({
					need_id: needId,
					tracker_id: Number(tracker.id),
					kind,
					upstream_key: item.key,
					upstream_url: item.url,
					title: item.title.slice(0, 500),
					linked,
					upstream_state: item.state,
					status: item.status,
					delivered_in: item.deliveredIn,
					created_by: tx.actor?.memberId ?? null,
					created_at: now,
					upstream_updated_at: item.updatedAt,
					synced_at: now,
					sync_error: null
				})
				.returningAll()
				.executeTakeFirstOrThrow();
		} catch (error) {
			if (isUniqueViolation(error, 'handoff_upstream_unique'))
				throw conflict('That item is already linked to another need.', { url: 'Already linked to another need.' });
			if (isUniqueViolation(error)) throw conflict(`This need was already handed to ${tracker.name}.`, { trackerId: `Already handed to ${tracker.name}.` });
			throw error;
		}
		const where = `${tracker.name} ${/^\d+$/.test(item.key) ? '#' : ''}${item.key}`;
		const reason = linked ? `Linked to ${where} (“${item.state}”).` : `Handed upstream to ${where}.`;
		await settleNeed(tx, needId, row.status === 'handed_upstream' ? reason : `${reason} ${upstreamReason(tracker.name, row)}`, 'need.handed_upstream');
		await recordActivity(tx, {
			action: linked ? 'handoff.linked' : 'handoff.created',
			subjectType: 'need',
			subjectId: needId,
			groupId: (access?.need ?? need).group_id,
			data: { handoffId: Number(row.id), trackerId: Number(tracker.id), tracker: tracker.name, kind, url: item.url, state: item.state }
		});
		return toHandoff({ ...row, tracker_name: tracker.name, provider: tracker.provider });
	});
}

const orphanKey = (needId: number, trackerId: number) => `handoff.orphan:${needId}:${trackerId}`;

/**
 * Creates the item upstream from the (edited) draft and records the handoff. See the module comment for
 * what happens when the tracker refuses (nothing written) or the write fails after the item exists.
 */
export async function createHandoff(ctx: Ctx, needId: number, input: CreateHandoffInput): Promise<Handoff> {
	const access = await handoffAccess(ctx, needId);
	const data = parseInput(createHandoffInput, input);
	requireHandable(access.need);
	const { tracker, impl } = await target(ctx, data.trackerId, data.kind);
	await requireNotHandedThere(ctx, needId, tracker);

	// An item created earlier whose handoff could not be written is linked, not created again.
	const orphan = await ctx.db
		.selectFrom('job')
		.select(['id', 'payload'])
		.where('dedupe_key', '=', orphanKey(needId, Number(tracker.id)))
		.where('state', '=', 'queued')
		.executeTakeFirst();
	if (orphan) {
		const item = orphanItem(orphan.payload);
		const handoff = await recordHandoff(ctx, needId, tracker, data.kind, item, false);
		await ctx.db.updateTable('job').set({ state: 'done', finished_at: ctx.now() }).where('id', '=', orphan.id).execute();
		return handoff;
	}

	let item: UpstreamItem;
	try {
		item = await impl.create(trackerConnection(tracker), { kind: data.kind, title: data.title, body: data.body, fields: data.fields }, providerEnv(ctx));
	} catch (error) {
		if (error instanceof TrackerError) throw trackerFailure(tracker, error);
		throw error;
	}
	try {
		return await recordHandoff(ctx, needId, tracker, data.kind, item, false);
	} catch (error) {
		const why = error instanceof Error ? error.message : String(error);
		try {
			await enqueueJob(ctx, 'handoff.orphan', {
				payload: { needId, trackerId: Number(tracker.id), kind: data.kind, item: { ...item, updatedAt: item.updatedAt.toISOString() }, error: why },
				dedupeKey: orphanKey(needId, Number(tracker.id)),
				runAt: new Date(ctx.now().getTime() + 60_000)
			});
		} catch (queueError) {
			log.error({ err: queueError, needId, url: item.url }, 'an upstream item was created but neither its handoff nor its orphan job could be written');
		}
		throw conflict(
			`${tracker.name} created ${item.url}, but Caucus could not record it (${why}). It will be linked automatically if it still can be; do not create it again — trying again links it.`,
			{ trackerId: `Created upstream as ${item.url}; not yet recorded.` }
		);
	}
}

function orphanItem(payload: Record<string, unknown>): UpstreamItem {
	const item = payload.item as UpstreamItem & { updatedAt: string };
	return { ...item, updatedAt: new Date(item.updatedAt) };
}

/** Records an item that was created upstream but whose handoff could not be written at the time. */
async function recordOrphanJob(job: JobContext, payload: Record<string, unknown>): Promise<string[]> {
	const needId = Number(payload.needId);
	const tracker = await job.db.selectFrom('tracker').selectAll().where('id', '=', Number(payload.trackerId)).executeTakeFirst();
	if (!tracker) throw new PermanentJobError(`Tracker ${payload.trackerId} is gone; ${String((payload.item as { url?: string }).url)} stays unlinked.`);
	const item = orphanItem(payload);
	try {
		await recordHandoff({ db: job.db, actor: null, now: job.now }, needId, tracker, payload.kind as HandoffKind, item, false);
	} catch (error) {
		if (error instanceof AppError) throw new PermanentJobError(`${item.url} could not be recorded for need #${needId}: ${error.message}`);
		throw error;
	}
	return [`need #${needId}: recorded ${item.url}, created earlier`];
}

/** The handoff module's jobs, listed in its manifest with the sync jobs. */
export const orphanJobs: Record<string, JobKind> = { 'handoff.orphan': { handler: recordOrphanJob, maxAttempts: 8 } };

/** Links an item that already exists upstream, by its URL; its current state is read and applied. */
export async function linkHandoff(ctx: Ctx, needId: number, input: LinkHandoffInput): Promise<Handoff> {
	const access = await handoffAccess(ctx, needId);
	const data = parseInput(linkHandoffInput, input);
	requireHandable(access.need);
	const { tracker, impl } = await target(ctx, data.trackerId, data.kind);
	await requireNotHandedThere(ctx, needId, tracker);
	let connection;
	try {
		connection = trackerConnection(tracker);
	} catch (error) {
		throw trackerFailure(tracker, error as TrackerError, 'url');
	}
	const key = impl.keyFromUrl(connection, data.url);
	if (key === null) throw invalid({ url: `That is not the URL of an item in ${tracker.name} (${tracker.project}).` });
	let item: UpstreamItem;
	try {
		item = await impl.fetch(connection, key, providerEnv(ctx));
	} catch (error) {
		if (error instanceof TrackerError) throw trackerFailure(tracker, error, 'url');
		throw error;
	}
	return recordHandoff(ctx, needId, tracker, data.kind, item, true);
}

/** "Sync now" for a need's moderators: reads each handoff's item and applies what changed. */
export async function syncNeed(ctx: Ctx, needId: number): Promise<SyncChange[]> {
	await handoffAccess(ctx, needId);
	return syncNeedHandoffs(ctx, needId);
}
