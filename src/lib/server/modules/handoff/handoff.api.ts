import { z } from 'zod';
import { defineOperation, type Operation } from '#lib/server/platform/http/api.ts';
import { createHandoffInput, draftInput, linkHandoffInput } from './handoff.schemas.ts';
import { HANDOFF_KINDS, HANDOFF_STATUSES, TRACKER_PROVIDERS } from './handoff.tables.ts';
import type { Handoff } from './handoff.model.ts';
import type { SyncChange } from './handoff.sync.ts';
import type { TrackerView } from './handoff.trackers.ts';
import { NEED_STATUSES } from '#lib/server/modules/needs/index.ts';

/*
 * The JSON API of handing needs upstream. Tracker credentials and webhook secrets never appear in any
 * answer. Webhooks from trackers arrive at POST /api/v1/trackers/{id}/webhook, which is not an operation of
 * this document: trackers call it with their own payloads, verified by signature or token.
 */

const tag = 'Handoff';
const iso = z.iso.datetime();
const id = (what: string) =>
	z.coerce
		.number({ error: `${what} is a whole number.` })
		.int(`${what} is a whole number.`)
		.positive(`${what} is a whole number.`)
		.max(Number.MAX_SAFE_INTEGER);
const needParams = z.object({ id: id('The need id').describe('The need number.') });

export const trackerOut = z.object({
	id: z.number().int(),
	name: z.string(),
	provider: z.enum(TRACKER_PROVIDERS),
	providerLabel: z.string(),
	baseUrl: z.string(),
	project: z.string(),
	kinds: z.array(z.enum(HANDOFF_KINDS)),
	enabled: z.boolean(),
	sandbox: z.boolean().describe('A practice tracker inside Caucus, not the developers’ tracker: its items never leave the site.')
});

export const handoffOut = z.object({
	id: z.number().int(),
	needId: z.number().int(),
	tracker: z.object({
		id: z.number().int(),
		name: z.string(),
		provider: z.enum(TRACKER_PROVIDERS),
		providerLabel: z.string(),
		sandbox: z.boolean().describe('A practice tracker inside Caucus, not the developers’ tracker.')
	}),
	kind: z.enum(HANDOFF_KINDS),
	upstreamKey: z.string(),
	upstreamUrl: z.string().describe('The item’s address; for a sandbox item, a path on this site (/sandbox/{tracker}/issues/{n}).'),
	title: z.string(),
	linked: z.boolean().describe('An existing item was linked rather than created by Caucus.'),
	upstreamState: z.string().describe("The tracker's own word for the state."),
	status: z.enum(HANDOFF_STATUSES),
	deliveredIn: z.string().nullable().describe('Release or milestone, when the tracker has one.'),
	createdAt: iso,
	upstreamUpdatedAt: iso,
	syncedAt: iso.nullable(),
	syncError: z.string().nullable().describe("The last sync's error; only for the need's moderators.")
});

const changeOut = z.object({
	handoffId: z.number().int(),
	needId: z.number().int(),
	tracker: z.string(),
	from: z.object({ state: z.string(), status: z.enum(HANDOFF_STATUSES), deliveredIn: z.string().nullable() }),
	to: z.object({ state: z.string(), status: z.enum(HANDOFF_STATUSES), deliveredIn: z.string().nullable() }),
	needStatus: z.enum(NEED_STATUSES).nullable().describe('The need’s new status, when the change moved it.')
});

export const trackerJson = (t: TrackerView): z.input<typeof trackerOut> => ({ ...t, kinds: [...t.kinds] });
export const handoffJson = (h: Handoff): z.input<typeof handoffOut> => ({
	...h,
	createdAt: h.createdAt.toISOString(),
	upstreamUpdatedAt: h.upstreamUpdatedAt.toISOString(),
	syncedAt: h.syncedAt?.toISOString() ?? null
});
export const changeJson = (c: SyncChange): z.input<typeof changeOut> => c;

export const listTrackersOp = defineOperation({
	id: 'listTrackers',
	method: 'GET',
	path: '/trackers',
	summary: 'The enabled trackers needs can be handed to, for group chairs, moderators and administrators. Never includes credentials.',
	tag,
	auth: 'required',
	response: z.object({ trackers: z.array(trackerOut) })
});

export const listHandoffsOp = defineOperation({
	id: 'listNeedHandoffs',
	method: 'GET',
	path: '/needs/{id}/handoffs',
	summary: 'Where a need was handed upstream, with each item’s synced state. Readable by whoever may read the need.',
	tag,
	auth: 'public',
	params: needParams,
	response: z.object({ handoffs: z.array(handoffOut), mayHandOff: z.boolean() })
});

export const draftHandoffOp = defineOperation({
	id: 'draftHandoff',
	method: 'POST',
	path: '/needs/{id}/handoffs/draft',
	summary: 'A draft of the upstream item in the tracker’s own form, filled with the need’s evidence, to edit before creating it. Writes nothing.',
	tag,
	auth: 'required',
	params: needParams,
	body: draftInput,
	response: z.object({
		tracker: z.object({ id: z.number().int(), name: z.string(), provider: z.string(), providerLabel: z.string() }),
		draft: z.object({ kind: z.enum(HANDOFF_KINDS), title: z.string(), body: z.string(), fields: z.record(z.string(), z.string()) })
	})
});

export const createHandoffOp = defineOperation({
	id: 'createHandoff',
	method: 'POST',
	path: '/needs/{id}/handoffs',
	summary:
		'Create the item in the tracker from a (possibly edited) draft and record the handoff; the need moves to handed upstream. A tracker’s refusal is answered as 400 (or 409 when worth retrying) and nothing is written.',
	tag,
	auth: 'required',
	params: needParams,
	body: createHandoffInput,
	response: handoffOut,
	status: 201
});

export const linkHandoffOp = defineOperation({
	id: 'linkHandoff',
	method: 'POST',
	path: '/needs/{id}/handoffs/link',
	summary: 'Link an item that already exists in the tracker, by its URL; its current state is read and applied to the need.',
	tag,
	auth: 'required',
	params: needParams,
	body: linkHandoffInput,
	response: handoffOut,
	status: 201
});

export const syncHandoffsOp = defineOperation({
	id: 'syncNeedHandoffs',
	method: 'POST',
	path: '/needs/{id}/handoffs/sync',
	summary: 'Read the need’s upstream items now and apply what changed (for the need’s moderators). Returns the changes and the handoffs.',
	tag,
	auth: 'required',
	params: needParams,
	response: z.object({ changes: z.array(changeOut), handoffs: z.array(handoffOut) })
});

export const handoffOperations: readonly Operation[] = [listTrackersOp, listHandoffsOp, draftHandoffOp, createHandoffOp, linkHandoffOp, syncHandoffsOp];
