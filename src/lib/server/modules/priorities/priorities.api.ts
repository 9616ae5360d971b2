import { z } from 'zod';
import { defineOperation, type Operation } from '#lib/server/platform/http/api.ts';
import { GROUP_VISIBILITIES } from '#lib/server/modules/groups/index.ts';
import { NEED_STATUSES } from '#lib/server/modules/needs/index.ts';
import { cycleSlug } from '#lib/server/modules/cycles/index.ts';
import { EXPORT_FORMATS } from './priorities.export.ts';
import type { ListSummary, PublishedList } from './priorities.lists.ts';
import type { RoundPage, RoundSummary } from './priorities.queries.ts';
import { ballotInput, openRoundInput, publishInput } from './priorities.schemas.ts';
import { ROUND_STATES, type StoredRanking } from './priorities.tables.ts';

/*
 * The JSON API of priority rounds and lists. A ballot is only ever read by its voter (`/ballot` is
 * always "mine"); round and list responses carry counts and the tally, never who ranked what.
 */

const iso = z.iso.datetime();
const id = z.coerce.number({ error: 'Must be an id.' }).int('Must be an id.').positive('Must be an id.').max(Number.MAX_SAFE_INTEGER);
const idParams = z.object({ id });
const ranking = z.array(z.array(z.number().int())).describe('Tiers of need ids, best first; needs in one tier are tied; unlisted needs rank below all.');

const roundSummaryOut = z.object({
	id: z.number().int(),
	title: z.string(),
	state: z.enum(ROUND_STATES),
	group: z.object({ slug: z.string(), name: z.string(), visibility: z.enum(GROUP_VISIBILITIES) }),
	cycle: z.object({ slug: z.string(), name: z.string() }),
	openedAt: iso,
	closesAt: iso.nullable(),
	closedAt: iso.nullable(),
	candidateCount: z.number().int(),
	ballotCount: z.number().int().describe('Ballots cast (turnout); never who cast what.'),
	url: z.string()
});

const listSummaryOut = z.object({
	id: z.number().int(),
	slug: z.string(),
	version: z.number().int(),
	title: z.string(),
	group: z.object({ slug: z.string(), name: z.string() }),
	cycle: z.object({ slug: z.string(), name: z.string() }),
	publishedAt: iso,
	turnout: z.object({ ballots: z.number().int(), eligible: z.number().int() }),
	needCount: z.number().int(),
	latest: z.boolean(),
	url: z.string()
});

const resultOut = z
	.object({
		method: z.literal('schulze-winning-votes'),
		candidates: z.array(z.number().int()).describe('Need ids; the order of every matrix row and column.'),
		pairwise: z.array(z.array(z.number().int())),
		strongestPaths: z.array(z.array(z.number().int())),
		tiers: z.array(z.array(z.number().int())).describe('The Schulze order before the tie-break.'),
		ranking: z.array(z.number().int()),
		tieBreak: z.object({ seed: z.string(), draw: z.array(z.object({ needId: z.number().int(), key: z.string() })), ties: z.array(z.array(z.number().int())) }),
		ballots: z.number().int(),
		eligible: z.number().int()
	})
	.nullable();

const roundOut = roundSummaryOut.extend({
	seed: z.string().nullable(),
	eligibleCount: z.number().int().describe('Active members of the group (at the close, once closed).'),
	candidates: z.array(
		z.object({ needId: z.number().int(), title: z.string().nullable(), status: z.enum(NEED_STATUSES).nullable(), supportCount: z.number().int() })
	),
	result: resultOut,
	counting: z.boolean().describe('Closed at its closing time and not counted yet: the result appears within a minute.'),
	lists: z.array(listSummaryOut),
	abilities: z.object({ read: z.boolean(), vote: z.boolean(), close: z.boolean(), publish: z.boolean() })
});

const ballotOut = z.object({ roundId: z.number().int(), ranking, castAt: iso, updatedAt: iso });

const entryOut = z.object({
	rank: z.number().int(),
	needId: z.number().int(),
	title: z.string(),
	schulzeTier: z.number().int(),
	supporters: z.number().int(),
	supportRank: z.number().int(),
	deployments: z.number().int(),
	deploymentScore: z.number(),
	deploymentRank: z.number().int()
});

export const listOut = z.object({
	id: z.number().int(),
	url: z.string(),
	format: z.string(),
	title: z.string(),
	version: z.number().int(),
	slug: z.string(),
	note: z.string(),
	publishedAt: iso,
	group: z.object({ slug: z.string(), name: z.string() }),
	cycle: z.object({ slug: z.string(), name: z.string() }),
	round: z.object({ id: z.number().int(), title: z.string(), openedAt: iso, closedAt: iso }),
	turnout: z.object({ ballots: z.number().int(), eligible: z.number().int() }),
	method: z.object({
		name: z.string(),
		seed: z.string(),
		tieBreak: z.string(),
		draw: z.array(z.object({ needId: z.number().int(), key: z.string() })),
		ties: z.array(z.array(z.number().int()))
	}),
	orders: z.object({ supporters: z.string(), deployments: z.string() }),
	entries: z.array(entryOut),
	pairwise: z.object({ needIds: z.array(z.number().int()), matrix: z.array(z.array(z.number().int())), strongestPaths: z.array(z.array(z.number().int())) }),
	versions: z.array(z.object({ id: z.number().int(), slug: z.string(), version: z.number().int(), publishedAt: iso }))
});

export const roundSummaryJson = (r: RoundSummary): z.input<typeof roundSummaryOut> => ({
	...r,
	openedAt: r.openedAt.toISOString(),
	closesAt: r.closesAt?.toISOString() ?? null,
	closedAt: r.closedAt?.toISOString() ?? null,
	url: `/priorities/rounds/${r.id}`
});
export const listSummaryJson = (l: ListSummary): z.input<typeof listSummaryOut> => ({
	...l,
	publishedAt: l.publishedAt.toISOString(),
	url: `/priorities/${l.id}`
});
export const roundJson = (p: RoundPage): z.input<typeof roundOut> => ({
	...roundSummaryJson(p.round),
	seed: p.round.seed,
	eligibleCount: p.round.eligibleCount,
	candidates: p.candidates,
	result: p.result,
	counting: p.counting,
	lists: p.lists.map(listSummaryJson),
	abilities: p.abilities
});
export const ballotJson = (roundId: number, b: { ranking: StoredRanking; castAt: Date; updatedAt: Date }): z.input<typeof ballotOut> => ({
	roundId,
	ranking: b.ranking,
	castAt: b.castAt.toISOString(),
	updatedAt: b.updatedAt.toISOString()
});
export const listJsonOut = (l: PublishedList): z.input<typeof listOut> => ({
	id: l.id,
	url: `/priorities/${l.id}`,
	...l.content,
	versions: l.versions.map((v) => ({ ...v, publishedAt: v.publishedAt.toISOString() }))
});

export const listRoundsOp = defineOperation({
	id: 'listPriorityRounds',
	method: 'GET',
	path: '/priorities/rounds',
	summary: 'List the priority rounds you may read (open groups’, and closed groups’ you belong to)',
	tag: 'priorities',
	auth: 'public',
	query: z.object({
		group: z.string().max(60).optional().describe('A group slug.'),
		state: z.enum(ROUND_STATES, { error: 'State is open or closed.' }).optional()
	}),
	response: z.object({ rounds: z.array(roundSummaryOut) })
});

export const openRoundOp = defineOperation({
	id: 'openPriorityRound',
	method: 'POST',
	path: '/priorities/rounds',
	summary: 'Open a priority round over needs of a group’s backlog (the group’s chairs)',
	tag: 'priorities',
	auth: 'required',
	body: openRoundInput.extend({
		group: z
			.string({ error: (issue) => (issue.input === undefined ? 'Group is required.' : 'Group must be text.') })
			.trim()
			.min(1, 'Group is required.')
			.max(60)
			.describe('The group’s slug.')
	}),
	response: roundOut,
	status: 201
});

export const getRoundOp = defineOperation({
	id: 'getPriorityRound',
	method: 'GET',
	path: '/priorities/rounds/{id}',
	summary: 'Read a round: candidates, turnout and, once closed, the tally',
	tag: 'priorities',
	auth: 'public',
	params: idParams,
	response: roundOut
});

export const getBallotOp = defineOperation({
	id: 'getMyPriorityBallot',
	method: 'GET',
	path: '/priorities/rounds/{id}/ballot',
	summary: 'Read your own ballot in a round (404 if you have none)',
	tag: 'priorities',
	auth: 'required',
	params: idParams,
	response: ballotOut
});

export const castBallotOp = defineOperation({
	id: 'castPriorityBallot',
	method: 'PUT',
	path: '/priorities/rounds/{id}/ballot',
	summary: 'Cast or change your ballot while the round is open (members of the group)',
	tag: 'priorities',
	auth: 'required',
	params: idParams,
	body: ballotInput,
	response: ballotOut
});

export const withdrawBallotOp = defineOperation({
	id: 'withdrawPriorityBallot',
	method: 'DELETE',
	path: '/priorities/rounds/{id}/ballot',
	summary: 'Take back your ballot while the round is open',
	tag: 'priorities',
	auth: 'required',
	params: idParams,
	response: z.null(),
	status: 204
});

export const closeRoundOp = defineOperation({
	id: 'closePriorityRound',
	method: 'POST',
	path: '/priorities/rounds/{id}/close',
	summary: 'Close a round and count it (the group’s chairs)',
	tag: 'priorities',
	auth: 'required',
	params: idParams,
	response: roundOut
});

export const publishListOp = defineOperation({
	id: 'publishPriorityList',
	method: 'POST',
	path: '/priorities/rounds/{id}/publish',
	summary: 'Publish a closed round’s result as the next version of the group’s priority list (the group’s chairs)',
	tag: 'priorities',
	auth: 'required',
	params: idParams,
	body: publishInput,
	response: listOut,
	status: 201
});

export const listListsOp = defineOperation({
	id: 'listPriorityLists',
	method: 'GET',
	path: '/priorities/lists',
	summary: 'List published priority lists, newest first',
	tag: 'priorities',
	auth: 'public',
	query: z.object({
		group: z.string().max(60).optional().describe('A group slug.'),
		cycle: cycleSlug.optional()
	}),
	response: z.object({ lists: z.array(listSummaryOut) })
});

export const getListOp = defineOperation({
	id: 'getPriorityList',
	method: 'GET',
	path: '/priorities/lists/{ref}',
	summary: 'Read a published list by id, by slug (ops-team-2027.1-v1) or by series (ops-team-2027.1: its newest version)',
	tag: 'priorities',
	auth: 'public',
	params: z.object({ ref: z.string().min(1).max(200) }),
	response: listOut
});

export const exportListOp = defineOperation({
	id: 'exportPriorityList',
	method: 'GET',
	path: '/priorities/lists/{ref}/export',
	summary: 'A published list as a Markdown or JSON file',
	tag: 'priorities',
	auth: 'public',
	params: z.object({ ref: z.string().min(1).max(200) }),
	query: z.object({ format: z.enum(EXPORT_FORMATS, { error: 'Format is md or json.' }).default('md') }),
	response: z.object({ format: z.enum(EXPORT_FORMATS), filename: z.string(), mediaType: z.string(), content: z.string() })
});

export const prioritiesOperations: readonly Operation[] = [
	listRoundsOp,
	openRoundOp,
	getRoundOp,
	getBallotOp,
	castBallotOp,
	withdrawBallotOp,
	closeRoundOp,
	publishListOp,
	listListsOp,
	getListOp,
	exportListOp
];
