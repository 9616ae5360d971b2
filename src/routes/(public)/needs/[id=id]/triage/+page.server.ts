import { error } from '@sveltejs/kit';
import {
	changeStatus,
	getNeedHistory,
	hideNeed,
	listMerges,
	loadNeedAccess,
	lockNeed,
	mergeCandidates,
	mergeNeed,
	publishNeed,
	splitNeed,
	STATUS_LABELS,
	STATUS_REASON_RULE,
	STATUS_TRANSITIONS,
	statusEffect,
	toNeed,
	undoMerge,
	unhideNeed,
	unlockNeed
} from '#lib/server/modules/needs/index.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import { AppError, untrusted } from '#lib/server/platform/errors.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formAction } from '#lib/server/platform/http/forms.ts';
import type { Actions, PageServerLoad } from './$types';

/**
 * The moderators' page of one need. Everyone else gets a 404, like for a need they may not read: the page
 * does not reveal which needs exist or who moderates them. Every form posts to an action that runs one
 * command; the command authorizes itself again.
 */
export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const id = event.params.id;
	let access;
	try {
		access = await loadNeedAccess(ctx, id);
	} catch (e) {
		if (e instanceof AppError && e.code === 'not_found') error(404, 'There is no need at this address.');
		throw e;
	}
	if (!access.abilities.triage) error(404, 'There is no need at this address.');
	const need = toNeed(access.need);
	const group = access.group;
	const [merges, history, candidates] = await Promise.all([
		listMerges(ctx, id),
		getNeedHistory(ctx, id),
		need.duplicateOfId === null ? mergeCandidates(ctx, id) : Promise.resolve([])
	]);
	const duplicateOf =
		need.duplicateOfId === null ? null : (merges.find((m) => m.source.id === need.id && !m.undoneAt)?.target ?? { id: need.duplicateOfId, title: null });
	return {
		need,
		group: group && { slug: group.slug, name: group.name, visibility: group.visibility },
		abilities: access.abilities,
		// The statuses the need may move to, each with what moving there does: the form pre-selects none.
		choices: STATUS_TRANSITIONS[need.status]
			// Declining last: the choice that disappoints the need's supporters is never the first one met.
			.toSorted((a, b) => Number(a === 'declined') - Number(b === 'declined'))
			.map((status) => ({ status, label: STATUS_LABELS[status], effect: statusEffect(need.status, status) })),
		reasonRule: STATUS_REASON_RULE,
		duplicateOf,
		mergesIn: merges.filter((m) => m.target.id === need.id),
		mergesOut: merges.filter((m) => m.source.id === need.id),
		candidates,
		history
	};
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/** Runs one command for a form; answers with a success message or the error with the input kept. */
const act = (run: (ctx: Ctx, id: number, values: Record<string, unknown>) => Promise<string>) =>
	formAction<{ id: number }>((ctx, params, values) => run(ctx, params.id, values));

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const actions: Actions = {
	status: act(async (ctx, id, values) => {
		const need = await changeStatus(ctx, id, untrusted(values));
		return `The need is now ${need.status.replace('_', ' ')}.`;
	}),
	merge: act(async (ctx, id, values) => {
		const target = text(values.targetId).trim().replace(/^#/, '');
		const result = await mergeNeed(ctx, untrusted({ ...values, sourceId: id, targetId: target }));
		return `Merged into #${result.target.id}, which now has ${plural(result.target.supportCount, 'supporter', 'supporters')}. ${plural(result.notified, 'person was', 'people were')} told.`;
	}),
	undo: act(async (ctx, _id, values) => {
		const mergeId = Number(text(values.mergeId));
		const result = await undoMerge(ctx, mergeId);
		return `Merge undone: #${result.source.id} is ${result.source.status.replace('_', ' ')} again with ${plural(result.source.supportCount, 'supporter', 'supporters')}; #${result.target.id} has ${plural(result.target.supportCount, 'supporter', 'supporters')}.`;
	}),
	split: act(async (ctx, id, values) => {
		const result = await splitNeed(ctx, id, untrusted(values));
		return `Created #${result.created.id}. ${plural(result.notified, 'supporter was', 'supporters were')} asked whether to support it too.`;
	}),
	hide: act(async (ctx, id, values) => {
		await hideNeed(ctx, id, untrusted(values));
		return 'The need is hidden: only its moderators see it.';
	}),
	unhide: act(async (ctx, id, values) => {
		await unhideNeed(ctx, id, untrusted(values));
		return 'The need is visible again.';
	}),
	lock: act(async (ctx, id, values) => {
		await lockNeed(ctx, id, untrusted(values));
		return 'The discussion is locked: only moderators comment.';
	}),
	unlock: act(async (ctx, id, values) => {
		await unlockNeed(ctx, id, untrusted(values));
		return 'The discussion is open again.';
	}),
	publish: act(async (ctx, id) => {
		await publishNeed(ctx, id);
		return 'The need is public now.';
	})
};
