import { z } from 'zod';
import { defineOperation } from '#lib/server/platform/http/api.ts';
import { SEGMENTS } from '#lib/server/modules/members/index.ts';
import { GROUP_VISIBILITIES } from '#lib/server/modules/groups/index.ts';
import { commentJson, commentOut } from './needs.actions.api.ts';
import { componentInput, needInput } from './needs.schemas.ts';
import { NEED_KINDS, NEED_STATUSES, SOURCE_CHANNELS } from './needs.tables.ts';
import { boardInput, similarInput, type Board, type BoardRow, type Component, type NeedPage, type SimilarNeed } from './needs.queries.ts';

/*
 * The JSON API of the board: list and search needs, file and edit one, read a need with its counts,
 * supporters and discussion, similar-need suggestions, and the component taxonomy. Acting on a need
 * (support, comments, triage) is in needs.actions.api.ts.
 */

const iso = z.iso.datetime();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
const memberRefOut = z.object({ id: z.number().int(), handle: z.string(), displayName: z.string() });
const groupRefOut = z.object({ id: z.number().int(), slug: z.string(), name: z.string(), visibility: z.enum(GROUP_VISIBILITIES) });

export const componentOut = z.object({ id: z.number().int(), slug: z.string(), name: z.string(), description: z.string() });

export const boardRowOut = z.object({
	id: z.number().int(),
	title: z.string(),
	kind: z.enum(NEED_KINDS),
	status: z.enum(NEED_STATUSES),
	supportCount: z.number().int().describe('Distinct people supporting the need or a need merged into it.'),
	organizationCount: z.number().int().describe('Distinct organizations among them.'),
	deploymentCount: z.number().int().describe('Distinct deployments attached to their supports as evidence.'),
	segmentCount: z.number().int().nullable().describe('With a segment filter: supporters in that segment.'),
	recentSupportCount: z
		.number()
		.int()
		.nullable()
		.describe('With sort=trending: people who supported it (or a need merged into it) in the last 14 days, as of the last refresh (every 5 minutes).'),
	commentCount: z.number().int(),
	group: groupRefOut.nullable(),
	sourceChannel: z.enum(SOURCE_CHANNELS),
	unpublished: z.boolean().describe("Still seen by its closed group's members only."),
	hidden: z.boolean().describe('Hidden by a moderator (only moderators see it).'),
	createdAt: iso,
	updatedAt: iso
});

const supporterOut = z.object({
	member: memberRefOut.extend({ organization: z.string().nullable(), segments: z.array(z.enum(SEGMENTS)) }),
	supportedAt: iso,
	deployment: z.object({ id: z.number().int(), name: z.string(), nodes: z.number().int().nullable(), instances: z.number().int().nullable() }).nullable(),
	impact: z.string().nullable(),
	viaNeedId: z.number().int().nullable().describe('The duplicate (merged into this need) the support was given on.')
});

const needSummaryOut = z.object({ id: z.number().int(), title: z.string(), status: z.enum(NEED_STATUSES), supportCount: z.number().int() });

export const needDetailOut = z.object({
	id: z.number().int(),
	title: z.string(),
	body: z.string().describe('Markdown.'),
	kind: z.enum(NEED_KINDS),
	status: z.enum(NEED_STATUSES),
	statusReason: z.string().nullable().describe('Why the need is in its status: every status change says why.'),
	source: z.object({ channel: z.enum(SOURCE_CHANNELS), url: z.string().nullable(), note: z.string().nullable() }),
	components: z.array(componentOut),
	tags: z.array(z.string()),
	releases: z.array(z.string()),
	group: groupRefOut.nullable(),
	author: memberRefOut.nullable(),
	publishedAt: iso.nullable(),
	hidden: z.object({ at: iso, reason: z.string().nullable() }).nullable(),
	lockedAt: iso.nullable(),
	createdAt: iso,
	updatedAt: iso,
	counts: z.object({
		supporters: z.number().int().describe('People: distinct members supporting this need or one merged into it.'),
		organizations: z.number().int(),
		deployments: z.number().int(),
		nodes: z.number().int().describe('Total nodes of the deployments attached as evidence.'),
		instances: z.number().int(),
		segments: z.array(z.object({ segment: z.enum(SEGMENTS), count: z.number().int() })),
		topOrganizations: z.array(z.object({ name: z.string(), count: z.number().int() })).describe('The organizations with the most supporters, at most eight.')
	}),
	supporters: z.array(supporterOut).describe('The first 50 supporters, earliest first.'),
	comments: z.array(commentOut),
	statusHistory: z.array(
		z.object({
			id: z.number().int(),
			from: z.enum(NEED_STATUSES).nullable(),
			to: z.enum(NEED_STATUSES),
			reason: z.string(),
			actor: memberRefOut.nullable(),
			at: iso
		})
	),
	duplicates: z
		.array(needSummaryOut.extend({ mergedAt: iso.nullable(), reason: z.string().nullable() }))
		.describe('Needs merged into this one that the caller may read.'),
	duplicateOf: z
		.union([needSummaryOut, z.object({ id: z.null() })])
		.nullable()
		.describe('For a duplicate: the need it was merged into ({ id: null } when the caller may not read it).'),
	viewer: z.object({
		supports: z.object({ deploymentId: z.number().int().nullable(), impact: z.string().nullable(), at: iso }).nullable(),
		supportsViaDuplicate: z.number().int().nullable(),
		follows: z.boolean()
	}),
	abilities: z.object({
		read: z.boolean(),
		edit: z.boolean(),
		support: z.boolean(),
		follow: z.boolean(),
		comment: z.boolean(),
		triage: z.boolean(),
		merge: z.boolean(),
		split: z.boolean(),
		hide: z.boolean(),
		lock: z.boolean(),
		publish: z.boolean()
	})
});

export const componentJson = (c: Component): z.input<typeof componentOut> => ({ id: c.id, slug: c.slug, name: c.name, description: c.description });

export const boardRowJson = (r: BoardRow): z.input<typeof boardRowOut> => ({
	...r,
	createdAt: r.createdAt.toISOString(),
	updatedAt: r.updatedAt.toISOString()
});

export const boardJson = (b: Board) => ({ needs: b.needs.map(boardRowJson), nextCursor: b.nextCursor });

export const similarJson = (needs: SimilarNeed[]) => ({ needs: needs.map((n) => ({ ...n, url: `/needs/${n.id}` })) });

export const needDetailJson = (p: NeedPage): z.input<typeof needDetailOut> => {
	const n = p.need;
	return {
		id: n.id,
		title: n.title,
		body: n.body,
		kind: n.kind,
		status: n.status,
		statusReason: n.statusReason,
		source: n.source,
		components: n.components.map(componentJson),
		tags: n.tags,
		releases: n.releases,
		group: n.group,
		author: n.author,
		publishedAt: isoOrNull(n.publishedAt),
		hidden: n.hidden && { at: n.hidden.at.toISOString(), reason: n.hidden.reason },
		lockedAt: isoOrNull(n.lockedAt),
		createdAt: n.createdAt.toISOString(),
		updatedAt: n.updatedAt.toISOString(),
		counts: p.counts,
		supporters: p.supporters.map((s) => ({ ...s, supportedAt: s.supportedAt.toISOString() })),
		comments: p.comments.map(({ bodyHtml: _html, mine: _mine, ...c }) => commentJson(c)),
		statusHistory: p.history.map((h) => ({ ...h, at: h.at.toISOString() })),
		duplicates: p.duplicates.map((d) => ({ ...d, mergedAt: isoOrNull(d.mergedAt) })),
		duplicateOf: p.duplicateOf,
		viewer: {
			supports: p.viewer.supports && { ...p.viewer.supports, at: p.viewer.supports.at.toISOString() },
			supportsViaDuplicate: p.viewer.supportsViaDuplicate,
			follows: p.viewer.follows
		},
		abilities: p.abilities
	};
};

// ---------------------------------------------------------------------------------------------------
// Inputs

const idParam = (what: string) =>
	z
		.string()
		.regex(/^[1-9]\d{0,14}$/, `${what} is a positive whole number.`)
		.transform(Number);
const needParams = z.object({ id: idParam('The need id').describe('The need number.') });
const componentParams = z.object({ id: idParam('The component id') });

/** An edit: only the fields sent change; the command checks the result as a whole, like a filing. */
const listOrText = z.union([z.array(z.string()), z.string()], { error: 'Send a list of text, or text separated by commas.' });
const needPatchBody = z.object({
	title: z.string({ error: 'Title is text.' }).optional(),
	body: z.string({ error: 'Description is text.' }).optional().describe('Markdown.'),
	kind: z.enum(NEED_KINDS, { error: `Kind is one of ${NEED_KINDS.join(', ')}.` }).optional(),
	components: listOrText.optional().describe('Component slugs; replaces the list.'),
	tags: listOrText.optional(),
	releases: listOrText.optional(),
	sourceChannel: z.enum(SOURCE_CHANNELS, { error: `Source is one of ${SOURCE_CHANNELS.join(', ')}.` }).optional(),
	sourceUrl: z.string({ error: 'Link is text.' }).nullable().optional(),
	sourceNote: z.string({ error: 'Source note is text.' }).nullable().optional()
});

const tag = 'needs';

export const listNeedsOp = defineOperation({
	id: 'listNeeds',
	method: 'GET',
	path: '/needs',
	summary:
		'The needs board: sort top | new | trending | updated | relevance (with q, its default), filters, search (q: words by stem, beginning or near spelling, web-search syntax), keyset pages (pass nextCursor as cursor). Duplicates are left out unless status=duplicate or status=all.',
	tag,
	auth: 'public',
	query: boardInput,
	response: z.object({ needs: z.array(boardRowOut), nextCursor: z.string().nullable() })
});

export const createNeedOp = defineOperation({
	id: 'createNeed',
	method: 'POST',
	path: '/needs',
	summary: 'File a need. You support and follow it at once. A need filed in a closed group stays with its members until the group publishes it.',
	tag,
	auth: 'required',
	body: needInput,
	response: needDetailOut,
	status: 201
});

export const similarNeedsOp = defineOperation({
	id: 'similarNeeds',
	method: 'GET',
	path: '/needs/similar',
	summary:
		"Needs similar to a title, to support instead of filing a duplicate: titles sharing at least two of its words (or the one) by the board search's rule (stem, beginning, near spelling), ranked by the titles' trigram similarity.",
	tag,
	auth: 'public',
	query: similarInput,
	response: z.object({ needs: z.array(needSummaryOut.extend({ url: z.string() })) })
});

export const getNeedOp = defineOperation({
	id: 'getNeed',
	method: 'GET',
	path: '/needs/{id}',
	summary: 'A need with its counts, first supporters, comments, status history, duplicates, your standing and what you may do.',
	tag,
	auth: 'public',
	params: needParams,
	response: needDetailOut
});

export const updateNeedOp = defineOperation({
	id: 'updateNeed',
	method: 'PATCH',
	path: '/needs/{id}',
	summary: "Edit a need (its author while unlocked, or its group's moderators). Send only what changes; the change is kept in the need's history.",
	tag,
	auth: 'required',
	params: needParams,
	body: needPatchBody,
	response: needDetailOut
});

export const listComponentsOp = defineOperation({
	id: 'listComponents',
	method: 'GET',
	path: '/components',
	summary: 'The component taxonomy needs are filed under.',
	tag: 'components',
	auth: 'public',
	response: z.object({ components: z.array(componentOut) })
});

export const createComponentOp = defineOperation({
	id: 'createComponent',
	method: 'POST',
	path: '/components',
	summary: 'Add a component to the taxonomy (administrators).',
	tag: 'components',
	auth: 'required',
	body: componentInput,
	response: componentOut,
	status: 201
});

export const updateComponentOp = defineOperation({
	id: 'updateComponent',
	method: 'PATCH',
	path: '/components/{id}',
	summary: 'Rename a component or change its slug or description (administrators); send only what changes. Needs stay attached.',
	tag: 'components',
	auth: 'required',
	params: componentParams,
	body: z.object({
		name: componentInput.shape.name.optional(),
		slug: componentInput.shape.slug.optional(),
		description: componentInput.shape.description.optional()
	}),
	response: componentOut
});

export const needsBoardOperations = [
	listNeedsOp,
	createNeedOp,
	similarNeedsOp,
	getNeedOp,
	updateNeedOp,
	listComponentsOp,
	createComponentOp,
	updateComponentOp
];
