import { sql, type RawBuilder } from 'kysely';
import { recordActivity } from '#lib/server/platform/activity.ts';
import { requireActor, retryingTransaction, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { AppError, conflict, forbidden, invalid, notFound, parseInput } from '#lib/server/platform/errors.ts';
import { notify } from '#lib/server/platform/notifications.ts';
import { textArray } from '#lib/server/platform/db/sql.ts';
import { activeMemberIds, loadGroupAccess, mayReadGroupWork, type GroupRow } from '#lib/server/modules/groups/index.ts';
import { loadNeedAccess, needFacts, type NeedAccess } from './needs.access.ts';
import { mayModerateNeed, mayPublishNeed, type NeedFacts } from './needs.policy.ts';
import {
	mergeInput,
	reasonInput,
	splitInput,
	statusChangeInput,
	triageManyInput,
	type ChangeStatusInput,
	type MergeNeedInput,
	type ReasonInput,
	type SplitNeedInput,
	type TriageAction,
	type TriageManyInput
} from './needs.schemas.ts';
import type { NeedMergeRow, NeedRow, NeedStatus } from './needs.tables.ts';
import { toNeed, toNeedMerge, type Need, type NeedMerge } from './needs.model.ts';
import { familyFollowers, familySupporters, lockFamilyRoot, lockNeeds, recountSupport } from './needs.supports.ts';
import { refreshTrendingOf } from './needs.trending.ts';
import { insertNeed } from './needs.ids.ts';
import { editNeed } from './needs.commands.ts';
import { componentsOfNeeds, findComponentBySlug } from './needs.queries.ts';
import { tellMentioned } from './needs.references.ts';

/*
 * Triage and distillation, for a need's group's chairs and moderators (site administrators for needs
 * outside any group): status changes, merges and their undo, splits, hiding, locking and publishing.
 * Each command authorizes, validates, writes, writes the status history where the status moves, and
 * records the action with its reason in the audit log (`activity`), all in one transaction.
 */

/** Where the needs board may move a status; the upstream states belong to the handoff module. */
export const STATUS_TRANSITIONS: Readonly<Record<NeedStatus, readonly NeedStatus[]>> = {
	new: ['triaged', 'accepted', 'declined'],
	triaged: ['accepted', 'declined', 'new'],
	accepted: ['declined', 'triaged'],
	declined: ['triaged'],
	handed_upstream: [],
	in_progress: [],
	delivered: [],
	duplicate: []
};
export const UPSTREAM_STATUSES: readonly NeedStatus[] = ['handed_upstream', 'in_progress', 'delivered'];

export const STATUS_LABELS: Readonly<Record<NeedStatus, string>> = {
	new: 'New',
	triaged: 'Triaged',
	accepted: 'Accepted',
	handed_upstream: 'Handed upstream',
	in_progress: 'In progress',
	delivered: 'Delivered',
	declined: 'Declined',
	duplicate: 'Duplicate'
};

const list = (items: readonly string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`);

/** Loads a need the actor may read and moderate: `not_found` if unreadable, `forbidden` if not theirs to moderate. */
async function moderatedNeed(tx: TxCtx, needId: number, message = 'Only the group’s chairs and moderators triage its needs.'): Promise<NeedAccess> {
	const access = await loadNeedAccess(tx, needId);
	if (!mayModerateNeed(tx.actor, access.group, access.membership)) throw forbidden(message);
	return access;
}

/** Re-reads a need under its row lock (FOR NO KEY UPDATE, like every support and merge). */
async function lockOne(tx: TxCtx, needId: number): Promise<NeedRow> {
	return (await lockNeeds(tx.db, [needId])).get(needId)!;
}

const activity = (tx: TxCtx, need: Pick<NeedRow, 'id' | 'group_id'>, action: string, data: Record<string, unknown>) =>
	recordActivity(tx, { action: `need.${action}`, subjectType: 'need', subjectId: need.id, groupId: need.group_id, data });

async function statusRow(tx: TxCtx, needId: number, from: NeedStatus | null, to: NeedStatus, reason: string) {
	await tx.db
		.insertInto('need_status_change')
		.values({ need_id: needId, from_status: from, to_status: to, reason, actor_id: tx.actor?.memberId ?? null, at: tx.now() })
		.execute();
}

/** Is the need readable by everyone (outside any group, in an open group, or published)? Hidden aside. */
export const isPublicNeed = (need: Pick<NeedFacts, 'groupId' | 'publishedAt'>, group: Pick<GroupRow, 'visibility'> | null) =>
	need.groupId === null || group === null || group.visibility === 'open' || need.publishedAt !== null;

/**
 * Of `memberIds`, those who may read `need` (so a notification never shows a closed need to an outsider).
 * The need is a `NeedAccess`'s row or a command's `Need`.
 */
export async function readersAmong(
	db: Executor,
	access: { need: NeedRow | Need; group: Pick<GroupRow, 'visibility'> | null },
	memberIds: readonly number[]
): Promise<number[]> {
	const ids = [...new Set(memberIds)];
	if (!ids.length) return [];
	const need: Pick<NeedFacts, 'groupId' | 'publishedAt' | 'hiddenAt'> = 'group_id' in access.need ? needFacts(access.need) : access.need;
	if (need.hiddenAt) return [];
	if (isPublicNeed(need, access.group)) return ids;
	const groupId = need.groupId!;
	const rows = await db
		.selectFrom('member')
		.select('member.id')
		.where('member.id', 'in', ids)
		.where((eb) => eb.or([eb('member.is_admin', '=', true), eb('member.id', 'in', activeMemberIds(groupId))]))
		.execute();
	return rows.map((r) => Number(r.id));
}

function bigintArray(values: readonly number[]): RawBuilder<number[]> {
	return sql<number[]>`array(select x::bigint from jsonb_array_elements_text(cast(${JSON.stringify(values)} as text)::jsonb) x)`;
}

export const toIds = (values: readonly (number | string)[] | null | undefined) => (values ?? []).map(Number);

// ---------------------------------------------------------------------------------------------------
// Status

/**
 * What moving a need from `from` to `to` does, in a sentence: the triage form shows it beside each status it
 * offers, so a moderator reads the consequence before choosing. (Handoff takes accepted needs only; the
 * priority rounds draw from the open backlog, which leaves out declined and delivered needs.)
 */
export function statusEffect(from: NeedStatus, to: NeedStatus): string {
	switch (to) {
		case 'accepted':
			return 'The group takes it on: it can be handed upstream to the developers and comes first in the backlog for priority rounds.';
		case 'declined':
			return 'The group will not take it on: it leaves the open backlog and priority rounds, and the reason is shown on the need. It can be reopened later.';
		case 'triaged':
			if (from === 'accepted') return 'No longer accepted: back to undecided, so it cannot be handed upstream until it is accepted again.';
			if (from === 'declined') return 'Reopened: back in the open backlog, undecided.';
			return 'Looked at and understood, not decided yet: it stays in the open backlog.';
		case 'new':
			return 'Back to untriaged, as if nobody had looked at it yet.';
		default:
			return `${STATUS_LABELS[to]}.`;
	}
}

/**
 * Moves a need's status with a reason of at least STATUS_REASON_MIN characters, for every status (see
 * needs.schemas.ts). Allowed: new → triaged | accepted | declined; triaged → accepted | declined | new;
 * accepted → declined | triaged; declined → triaged (reopen). A duplicate is changed by undoing its merge;
 * the upstream states follow the tracker.
 */
export async function changeStatus(ctx: Ctx, needId: number, input: ChangeStatusInput): Promise<Need> {
	requireActor(ctx, 'Sign in first.');
	const data = parseInput(statusChangeInput, input);
	return retryingTransaction(ctx, async (tx) => {
		await moderatedNeed(tx, needId);
		const need = await lockOne(tx, needId);
		if (UPSTREAM_STATUSES.includes(data.status)) {
			throw invalid({ status: `${STATUS_LABELS[data.status]} is set by the upstream handoff, not by triage.` });
		}
		if (need.status === 'duplicate')
			throw conflict(`This need is merged into #${need.duplicate_of_id}; undo the merge to change its status.`, { status: 'Undo the merge first.' });
		if (UPSTREAM_STATUSES.includes(need.status)) {
			throw conflict('This need is with the developers; its status follows their tracker.', { status: 'The status follows the upstream tracker.' });
		}
		if (need.status === data.status) throw conflict(`The need is already ${STATUS_LABELS[need.status].toLowerCase()}.`, { status: 'Pick another status.' });
		const allowed = STATUS_TRANSITIONS[need.status];
		if (!allowed.includes(data.status)) {
			const message = `A ${STATUS_LABELS[need.status].toLowerCase()} need moves to ${list(allowed.map((s) => STATUS_LABELS[s].toLowerCase()))}.`;
			throw conflict(message, { status: message });
		}
		const row = await tx.db
			.updateTable('need')
			.set({ status: data.status, status_reason: data.reason, updated_at: tx.now() })
			.where('id', '=', needId)
			.returningAll()
			.executeTakeFirstOrThrow();
		await statusRow(tx, needId, need.status, data.status, data.reason);
		await activity(tx, row, 'status_changed', { from: need.status, to: data.status, reason: data.reason });
		return toNeed(row);
	});
}

// ---------------------------------------------------------------------------------------------------
// Several needs at once

export interface TriageManyResult {
	action: TriageAction;
	/** The needs acted on, as the action left them, in id order. */
	needs: Need[];
	/** Of those, the ones it changed: a need that already had the tag or component is left as it was. */
	changedIds: number[];
}

const DONE: Record<TriageAction, string> = { accept: 'accepted', decline: 'declined', tag: 'tagged', component: 'filed under the component' };

/** What one need's refusal says, for the row that shows it: a field's message where the command gave one. */
function refusalOf(error: AppError): string {
	const field = Object.values(error.fields)[0];
	return error.code === 'invalid_input' && field ? field : error.message;
}

const listIds = (ids: readonly number[]) => {
	const named = ids.map((id) => `#${id}`);
	return named.length <= 1 ? named.join('') : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
};

/**
 * Accepts, declines, tags or files under a component several of one group's needs at once (its chairs,
 * moderators and site administrators). Each need goes through the command a single action uses
 * (`changeStatus`, `editNeed`), so each is authorized, validated and recorded (status history, audit log)
 * exactly as if it had been done alone.
 *
 * All or nothing: the needs move in one transaction. When one refuses (already accepted, declined and not
 * reopened, too many tags), nothing is changed and the error names every need that refused, each under
 * `need-<id>` in `fields`, so the queue shows the reason beside the need and keeps the selection. We chose
 * this over reporting per-need results because a chair acts on a selection as one decision: half of it
 * done would leave them to work out which needs moved, and the needs' histories would tell of a decision
 * only partly taken. The needs are locked in id order first (as every command locks them), so two bulk
 * actions over the same needs wait for each other instead of deadlocking.
 */
export async function triageMany(ctx: Ctx, groupSlug: string, input: TriageManyInput): Promise<TriageManyResult> {
	requireActor(ctx, 'Sign in first.');
	const data = parseInput(triageManyInput, input);
	return retryingTransaction(ctx, async (tx) => {
		const access = await loadGroupAccess(tx.db, tx.actor, { slug: groupSlug });
		if (!access || !mayReadGroupWork(tx.actor, access.group, access.membership)) throw notFound('The group');
		const { group } = access;
		if (!mayModerateNeed(tx.actor, group, access.membership)) throw forbidden('Only the group’s chairs and moderators triage its needs.');

		// Needs of another group, or none at all, answer the same: ids of closed work do not leak.
		const ids = [...data.needIds].sort((a, b) => a - b);
		const ours = new Set(
			(await tx.db.selectFrom('need').select('id').where('id', 'in', ids).where('group_id', '=', group.id).execute()).map((r) => Number(r.id))
		);
		const strangers = ids.filter((id) => !ours.has(id));
		if (strangers.length) {
			const fields = Object.fromEntries(strangers.map((id) => [`need-${id}`, `#${id} is not one of ${group.name}’s needs.`]));
			throw invalid(
				{ needIds: `${listIds(strangers)} ${strangers.length === 1 ? 'is' : 'are'} not among ${group.name}’s needs.`, ...fields },
				'Nothing was changed: some of the needs are not this group’s.'
			);
		}
		let componentSlug: string | null = null;
		if (data.action === 'component') {
			const component = await findComponentBySlug(tx.db, data.component);
			if (!component) throw invalid({ component: `There is no component “${data.component}”; pick one from the list.` });
			componentSlug = component.slug;
		}

		const locked = await lockNeeds(tx.db, ids);
		const components = componentSlug ? await componentsOfNeeds(tx.db, ids) : [];
		const needs: Need[] = [];
		const changedIds: number[] = [];
		const refusals: { id: number; error: AppError }[] = [];
		for (const id of ids) {
			const row = locked.get(id)!;
			try {
				let after: Need;
				let changed = true;
				if (data.action === 'accept' || data.action === 'decline') {
					after = await changeStatus(tx, id, { status: data.action === 'accept' ? 'accepted' : 'declined', reason: data.reason });
				} else if (data.action === 'tag') {
					changed = !row.tags.includes(data.tag);
					after = changed ? await editNeed(tx, id, { tags: [...row.tags, data.tag] }) : toNeed(row);
				} else {
					const slugs = components.filter((c) => c.needId === id).map((c) => c.slug);
					changed = !slugs.includes(componentSlug!);
					after = changed ? await editNeed(tx, id, { components: [...slugs, componentSlug!] }) : toNeed(row);
				}
				needs.push(after);
				if (changed) changedIds.push(id);
			} catch (error) {
				// A command's refusal is noted and the next need is tried, so the answer names every need that
				// refuses; all is rolled back below. Anything else (the database) ends the whole action, except a
				// transaction already aborted by a refusal that came from the database: then report what we have.
				if (error instanceof AppError) refusals.push({ id, error });
				else if (refusals.length && (error as { code?: string } | null)?.code === '25P02') break;
				else throw error;
			}
		}
		if (refusals.length) {
			const shown = refusals
				.slice(0, 3)
				.map(({ id, error }) => `#${id}: ${refusalOf(error)}`)
				.join(' ');
			const more = refusals.length > 3 ? ` And ${refusals.length - 3} more, each shown with its need.` : '';
			throw new AppError(
				refusals[0].error.code,
				`Nothing was changed: ${refusals.length} of ${ids.length} ${ids.length === 1 ? 'need' : 'needs'} cannot be ${DONE[data.action]}. ${shown}${more}`,
				Object.fromEntries(refusals.map(({ id, error }) => [`need-${id}`, refusalOf(error)]))
			);
		}
		return { action: data.action, needs, changedIds };
	});
}

// ---------------------------------------------------------------------------------------------------
// Merge and undo

export interface MergeResult {
	merge: NeedMerge;
	source: Need;
	target: Need;
	/** Members told about the merge (the source's supporters and followers not already supporting the target). */
	notified: number;
}

/**
 * Merges a duplicate (the source) into the need it duplicates (the target); the moderator must moderate
 * both. The source becomes a duplicate pointing to the target; needs already merged into the source are
 * re-pointed to the target (`carried_ids`, so an undo points them back). No support or follow moves: the
 * target's supporters now include the source's, counted once per person. Each of the source's supporters
 * and followers who does not already support the target is told (kind `need.merged`) and can withdraw.
 *
 * A need may only go where all its readers can follow: into a public need, or into an unpublished need of
 * the same closed group. A hidden need cannot be a target, and a duplicate is neither source nor target.
 */
export async function mergeNeed(ctx: Ctx, input: MergeNeedInput): Promise<MergeResult> {
	const actor = requireActor(ctx, 'Sign in first.');
	const data = parseInput(mergeInput, input);
	return retryingTransaction(ctx, async (tx) => {
		const sourceAccess = await moderatedNeed(tx, data.sourceId, 'Only the group’s chairs and moderators merge its needs.');
		let targetAccess: NeedAccess;
		try {
			targetAccess = await loadNeedAccess(tx, data.targetId);
		} catch (error) {
			if (error instanceof AppError && error.code === 'not_found') throw invalid({ targetId: `There is no need #${data.targetId} that you can see.` });
			throw error;
		}
		if (!targetAccess.abilities.merge) {
			throw new AppError('forbidden', 'You may merge only into a need whose group you moderate.', { targetId: 'You do not moderate this need’s group.' });
		}
		const locked = await lockNeeds(tx.db, [data.sourceId, data.targetId]);
		const source = locked.get(data.sourceId)!;
		const target = locked.get(data.targetId)!;
		if (source.duplicate_of_id !== null) throw conflict(`This need is already merged into #${source.duplicate_of_id}; undo that merge first.`);
		if (target.duplicate_of_id !== null) {
			throw conflict(`#${target.id} is itself merged into #${target.duplicate_of_id}.`, {
				targetId: `#${target.id} is a duplicate of #${target.duplicate_of_id}; merge into #${target.duplicate_of_id} instead.`
			});
		}
		if (target.hidden_at) throw conflict(`#${target.id} is hidden.`, { targetId: `#${target.id} is hidden; a need cannot be merged into a hidden need.` });
		const sourcePublic = isPublicNeed(needFacts(source), sourceAccess.group);
		const targetPublic = isPublicNeed(needFacts(target), targetAccess.group);
		if (!targetPublic && (sourcePublic || source.group_id !== target.group_id)) {
			throw conflict('Not everyone who can see this need could see that one.', {
				targetId: `#${target.id} is visible only to its closed group, so this need’s supporters could not follow it there. Merge into a public need, or publish #${target.id} first.`
			});
		}

		const targetSupportersBefore = new Set(await familySupporters(tx.db, target.id));
		const sourceSupporters = await familySupporters(tx.db, source.id);
		const sourceFollowers = await familyFollowers(tx.db, source.id);
		const now = tx.now();

		const carried = toIds(
			(
				await tx.db.updateTable('need').set({ duplicate_of_id: target.id, updated_at: now }).where('duplicate_of_id', '=', source.id).returning('id').execute()
			).map((r) => r.id)
		).sort((a, b) => a - b);
		const sourceAfter = await tx.db
			.updateTable('need')
			.set({ status: 'duplicate', status_reason: data.reason, duplicate_of_id: target.id, updated_at: now })
			.where('id', '=', source.id)
			.returningAll()
			.executeTakeFirstOrThrow();
		await tx.db.updateTable('need').set({ updated_at: now }).where('id', '=', target.id).execute();
		await statusRow(tx, source.id, source.status, 'duplicate', data.reason);
		const merge = await tx.db
			.insertInto('need_merge')
			.values({
				source_id: source.id,
				target_id: target.id,
				reason: data.reason,
				actor_id: actor.memberId,
				merged_at: now,
				source_previous_status: source.status,
				source_previous_reason: source.status_reason,
				carried_ids: bigintArray(carried)
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		await recountSupport(tx.db, [source.id, target.id]);
		// The family moved: the trending rollup of both needs now, not at the job's next run.
		await refreshTrendingOf(tx.db, [source.id, target.id], now);

		const told = (await readersAmong(tx.db, { need: target, group: targetAccess.group }, [...sourceSupporters, ...sourceFollowers])).filter(
			(id) => !targetSupportersBefore.has(id) && id !== actor.memberId
		);
		await notify(tx, told, {
			kind: 'need.merged',
			subjectType: 'need',
			subjectId: target.id,
			data: { sourceId: source.id, targetId: target.id, title: target.title, sourceTitle: source.title, mergeId: Number(merge.id) }
		});
		await activity(tx, source, 'merged', {
			targetId: target.id,
			mergeId: Number(merge.id),
			reason: data.reason,
			carried,
			previousStatus: source.status,
			notified: told.length
		});

		const targetAfter = await tx.db.selectFrom('need').selectAll().where('id', '=', target.id).executeTakeFirstOrThrow();
		const sourceCounted = await tx.db.selectFrom('need').selectAll().where('id', '=', sourceAfter.id).executeTakeFirstOrThrow();
		return { merge: toNeedMerge(merge), source: toNeed(sourceCounted), target: toNeed(targetAfter), notified: told.length };
	});
}

/** The merge that stands in the way of undoing `merge`: a later one of its source, or of a need it was carried into. */
async function laterMerge(db: Executor, merge: NeedMergeRow, source: NeedRow): Promise<number | null> {
	const row = await db
		.selectFrom('need_merge')
		.select('id')
		.where('undone_at', 'is', null)
		.where('id', '>', merge.id)
		.where((eb) => eb.or([eb('source_id', '=', merge.source_id), eb('source_id', '=', merge.target_id), sql<boolean>`${merge.source_id} = any(carried_ids)`]))
		.orderBy('id', 'desc')
		.executeTakeFirst();
	if (row) return Number(row.id);
	return source.duplicate_of_id === merge.target_id ? null : -1;
}

export interface UndoResult {
	merge: NeedMerge;
	source: Need;
	target: Need;
}

/**
 * Undoes a merge: the source gets back its previous status and reason, stops pointing to the target, and
 * the needs it had carried point to it again. Supports never moved, so both needs count exactly their own
 * families again. Refused when already undone, or when the source (or the target, which carried it) was
 * merged again since: undo the later merge first.
 */
export async function undoMerge(ctx: Ctx, mergeId: number): Promise<UndoResult> {
	const actor = requireActor(ctx, 'Sign in first.');
	return retryingTransaction(ctx, async (tx) => {
		if (!Number.isSafeInteger(mergeId) || mergeId <= 0) throw notFound('The merge');
		const found = await tx.db.selectFrom('need_merge').selectAll().where('id', '=', mergeId).executeTakeFirst();
		if (!found) throw notFound('The merge');
		let sourceAccess: NeedAccess, targetAccess: NeedAccess;
		try {
			sourceAccess = await loadNeedAccess(tx, Number(found.source_id));
			targetAccess = await loadNeedAccess(tx, Number(found.target_id));
		} catch (error) {
			if (error instanceof AppError && error.code === 'not_found') throw notFound('The merge');
			throw error;
		}
		if (!sourceAccess.abilities.merge || !targetAccess.abilities.merge) throw forbidden('Only moderators of both needs’ groups undo a merge.');
		// The merge row first (two undos queue here), then both needs in id order.
		const merge = await tx.db.selectFrom('need_merge').selectAll().where('id', '=', mergeId).forUpdate().executeTakeFirstOrThrow();
		const locked = await lockNeeds(tx.db, [merge.source_id, merge.target_id]);
		const source = locked.get(Number(merge.source_id))!;
		const target = locked.get(Number(merge.target_id))!;
		if (merge.undone_at) throw conflict('This merge was already undone.');
		const blocking = await laterMerge(tx.db, merge, source);
		if (blocking !== null) {
			throw conflict(
				blocking > 0
					? `The needs were merged again since (merge #${blocking}); undo that merge first.`
					: `#${source.id} no longer points to #${target.id}; this merge cannot be undone.`
			);
		}
		const carried = toIds(merge.carried_ids);
		const now = tx.now();
		const sourceAfter = await tx.db
			.updateTable('need')
			.set({ status: merge.source_previous_status, status_reason: merge.source_previous_reason, duplicate_of_id: null, updated_at: now })
			.where('id', '=', source.id)
			.returningAll()
			.executeTakeFirstOrThrow();
		if (carried.length) {
			await tx.db
				.updateTable('need')
				.set({ duplicate_of_id: source.id, updated_at: now })
				.where('id', 'in', carried)
				.where('duplicate_of_id', '=', target.id)
				.execute();
		}
		await tx.db.updateTable('need').set({ updated_at: now }).where('id', '=', target.id).execute();
		const reason = `Merge into #${target.id} undone.`;
		await statusRow(tx, source.id, 'duplicate', merge.source_previous_status, reason);
		const undone = await tx.db
			.updateTable('need_merge')
			.set({ undone_at: now, undone_by: actor.memberId })
			.where('id', '=', merge.id)
			.returningAll()
			.executeTakeFirstOrThrow();
		await recountSupport(tx.db, [source.id, target.id]);
		await refreshTrendingOf(tx.db, [source.id, target.id], now);
		await activity(tx, sourceAfter, 'merge_undone', { mergeId: Number(merge.id), targetId: target.id, carried, restoredStatus: merge.source_previous_status });
		const [s, t] = await Promise.all([
			tx.db.selectFrom('need').selectAll().where('id', '=', source.id).executeTakeFirstOrThrow(),
			tx.db.selectFrom('need').selectAll().where('id', '=', target.id).executeTakeFirstOrThrow()
		]);
		return { merge: toNeedMerge(undone), source: toNeed(s), target: toNeed(t) };
	});
}

// ---------------------------------------------------------------------------------------------------
// Split

export interface SplitResult {
	from: Need;
	created: Need;
	/** Supporters of the original asked whether to support the new need too. */
	notified: number;
}

/**
 * Splits part of a need into a new need in the same group, with the same source, components, tags and
 * releases, filed by the moderator; its description ends with a link back. Both needs get a status
 * history entry. Nobody's support moves: each supporter of the original is asked (kind `need.split`)
 * whether to support the new one too.
 */
export async function splitNeed(ctx: Ctx, needId: number, input: SplitNeedInput): Promise<SplitResult> {
	const actor = requireActor(ctx, 'Sign in first.');
	const data = parseInput(splitInput, input);
	return retryingTransaction(ctx, async (tx) => {
		const access = await moderatedNeed(tx, needId, 'Only the group’s chairs and moderators split its needs.');
		const from = await lockFamilyRoot(tx.db, needId);
		if (from.id !== needId) throw conflict(`This need is merged into #${from.id}; split that need instead.`);
		const now = tx.now();
		const body = `${data.body ? `${data.body}\n\n` : ''}---\n\n_Split from [need #${from.id}](/needs/${from.id})._`;
		const created = await insertNeed(tx.db, {
			title: data.title,
			body,
			kind: data.kind,
			group_id: from.group_id,
			published_at: from.published_at ? now : null,
			author_id: actor.memberId,
			source_channel: from.source_channel,
			source_url: from.source_url,
			source_note: from.source_note,
			tags: textArray(from.tags) as RawBuilder<string[]>,
			releases: textArray(from.releases) as RawBuilder<string[]>,
			split_from_id: from.id,
			created_at: now,
			updated_at: now
		});
		await tx.db
			.insertInto('need_component')
			.columns(['need_id', 'component_id'])
			.expression((eb) =>
				eb
					.selectFrom('need_component')
					.select([eb.val(created.id).as('need_id'), 'component_id'])
					.where('need_id', '=', from.id)
			)
			.execute();
		await tx.db.updateTable('need').set({ updated_at: now }).where('id', '=', from.id).execute();
		await statusRow(tx, created.id, null, 'new', `Split from #${from.id}: ${data.reason}`);
		await statusRow(tx, from.id, from.status, from.status, `Split: #${created.id} was made from part of this need. ${data.reason}`);
		await activity(tx, from, 'split', { newId: created.id, title: created.title, reason: data.reason });
		await activity(tx, created, 'split_from', { fromId: from.id, reason: data.reason });

		const supporters = await familySupporters(tx.db, from.id);
		const told = (await readersAmong(tx.db, { need: created, group: access.group }, supporters)).filter((id) => id !== actor.memberId);
		await notify(tx, told, {
			kind: 'need.split',
			subjectType: 'need',
			subjectId: created.id,
			data: { fromId: from.id, newId: created.id, title: created.title, fromTitle: from.title }
		});
		await tellMentioned(tx, { need: created, group: access.group }, { body: created.body, commentId: null });
		const fromAfter = await tx.db.selectFrom('need').selectAll().where('id', '=', from.id).executeTakeFirstOrThrow();
		return { from: toNeed(fromAfter), created: toNeed(created), notified: told.length };
	});
}

// ---------------------------------------------------------------------------------------------------
// Hide, lock, publish

/** Hides a need with a reason: only its moderators still see it; it takes no support. */
export async function hideNeed(ctx: Ctx, needId: number, input: ReasonInput): Promise<Need> {
	const actor = requireActor(ctx, 'Sign in first.');
	const data = parseInput(reasonInput, input);
	return retryingTransaction(ctx, async (tx) => {
		await moderatedNeed(tx, needId, 'Only the group’s chairs and moderators hide its needs.');
		const need = await lockOne(tx, needId);
		if (need.hidden_at) throw conflict('This need is already hidden.');
		const row = await tx.db
			.updateTable('need')
			.set({ hidden_at: tx.now(), hidden_reason: data.reason, hidden_by: actor.memberId })
			.where('id', '=', needId)
			.returningAll()
			.executeTakeFirstOrThrow();
		await activity(tx, row, 'hidden', { reason: data.reason });
		return toNeed(row);
	});
}

export async function unhideNeed(ctx: Ctx, needId: number, input: ReasonInput): Promise<Need> {
	requireActor(ctx, 'Sign in first.');
	const data = parseInput(reasonInput, input);
	return retryingTransaction(ctx, async (tx) => {
		await moderatedNeed(tx, needId, 'Only the group’s chairs and moderators unhide its needs.');
		const need = await lockOne(tx, needId);
		if (!need.hidden_at) throw conflict('This need is not hidden.');
		const row = await tx.db
			.updateTable('need')
			.set({ hidden_at: null, hidden_reason: null, hidden_by: null })
			.where('id', '=', needId)
			.returningAll()
			.executeTakeFirstOrThrow();
		await activity(tx, row, 'unhidden', { reason: data.reason, wasHiddenFor: need.hidden_reason });
		return toNeed(row);
	});
}

/** Locks the discussion: only moderators comment; the author no longer edits. */
export async function lockNeed(ctx: Ctx, needId: number, input: ReasonInput): Promise<Need> {
	const actor = requireActor(ctx, 'Sign in first.');
	const data = parseInput(reasonInput, input);
	return retryingTransaction(ctx, async (tx) => {
		await moderatedNeed(tx, needId, 'Only the group’s chairs and moderators lock a discussion.');
		const need = await lockOne(tx, needId);
		if (need.locked_at) throw conflict('The discussion is already locked.');
		const row = await tx.db
			.updateTable('need')
			.set({ locked_at: tx.now(), locked_by: actor.memberId })
			.where('id', '=', needId)
			.returningAll()
			.executeTakeFirstOrThrow();
		await activity(tx, row, 'locked', { reason: data.reason });
		return toNeed(row);
	});
}

export async function unlockNeed(ctx: Ctx, needId: number, input: ReasonInput): Promise<Need> {
	requireActor(ctx, 'Sign in first.');
	const data = parseInput(reasonInput, input);
	return retryingTransaction(ctx, async (tx) => {
		await moderatedNeed(tx, needId, 'Only the group’s chairs and moderators unlock a discussion.');
		const need = await lockOne(tx, needId);
		if (!need.locked_at) throw conflict('The discussion is not locked.');
		const row = await tx.db.updateTable('need').set({ locked_at: null, locked_by: null }).where('id', '=', needId).returningAll().executeTakeFirstOrThrow();
		await activity(tx, row, 'unlocked', { reason: data.reason });
		return toNeed(row);
	});
}

/** Publishes a closed group's need: from now on everyone reads it. */
export async function publishNeed(ctx: Ctx, needId: number): Promise<Need> {
	requireActor(ctx, 'Sign in first.');
	return retryingTransaction(ctx, async (tx) => {
		const access = await loadNeedAccess(tx, needId);
		const need = await lockOne(tx, needId);
		if (!mayModerateNeed(tx.actor, access.group, access.membership)) throw forbidden('Only the group’s chairs and moderators publish its needs.');
		if (!mayPublishNeed(tx.actor, needFacts(need), access.group, access.membership)) {
			throw conflict(need.published_at ? 'This need is public already.' : 'Only a closed group’s needs are published; this one is public already.');
		}
		const row = await tx.db
			.updateTable('need')
			.set({ published_at: tx.now(), updated_at: tx.now() })
			.where('id', '=', needId)
			.returningAll()
			.executeTakeFirstOrThrow();
		await activity(tx, row, 'published', { groupId: row.group_id });
		return toNeed(row);
	});
}
