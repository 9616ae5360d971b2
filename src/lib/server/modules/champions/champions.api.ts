import { z } from 'zod';
import { defineOperation, type Operation } from '#lib/server/platform/http/api.ts';
import { NEED_STATUSES } from '#lib/server/modules/needs/index.ts';
import { CHAMPION_ROLES, CHANGE_STATES, FORGES, INVITATION_STATES } from './champions.tables.ts';
import { changeState, NOTE_MAX, REASON_MAX, role } from './champions.schemas.ts';
import { CHANGE_URL_MAX } from './champions.urls.ts';
import { WANTED_SORTS, wantedInput, type NeedChampions, type WantedList } from './champions.queries.ts';
import type { ChampionInvitation, UpstreamChange } from './champions.model.ts';
import {
	accountabilityNeedsInput,
	dashboardInput,
	METRICS,
	type AccountabilityNeeds,
	type Dashboard,
	type MetricCounts,
	type Scope
} from './accountability.queries.ts';
import type { Cycle } from '#lib/server/modules/cycles/index.ts';

/*
 * The JSON API of champions, sponsors, upstream changes, the "needs a champion" list and the
 * accountability dashboard. Dates travel as ISO 8601 strings.
 */

const iso = z.iso.datetime();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
const memberRefOut = z.object({ id: z.number().int(), handle: z.string(), displayName: z.string() });
const id = (what: string) =>
	z.coerce
		.number({ error: `${what} is a whole number.` })
		.int(`${what} is a whole number.`)
		.positive(`${what} is a whole number.`)
		.max(Number.MAX_SAFE_INTEGER);
const needParams = z.object({ id: id('The need id').describe('The need number.') });
const changeParams = z.object({ changeId: id('The change id') });
const memberParams = needParams.extend({ handle: z.string().min(1).max(100).describe('The champion’s or sponsor’s handle.') });

const championOut = z.object({
	member: memberRefOut.extend({ organization: z.string().nullable() }),
	role: z.enum(CHAMPION_ROLES),
	note: z.string(),
	since: iso
});

export const changeOut = z.object({
	id: z.number().int(),
	needId: z.number().int(),
	url: z.string(),
	forge: z.enum(FORGES),
	host: z.string(),
	project: z.string().describe('owner/repo, a GitLab project path or a Gerrit project; empty for a Gerrit link without one.'),
	number: z.number().int(),
	label: z.string().describe('How pages name it: "Gerrit change 912345", "PR #12", "MR !7".'),
	state: z.enum(CHANGE_STATES),
	addedBy: memberRefOut.nullable(),
	createdAt: iso,
	stateChangedAt: iso
});

export const invitationOut = z.object({
	id: z.number().int(),
	needId: z.number().int(),
	member: memberRefOut.describe('Who is asked.'),
	role: z.enum(CHAMPION_ROLES),
	note: z.string().describe('Why them, in the asker’s words (may be empty).'),
	invitedBy: memberRefOut.nullable(),
	createdAt: iso,
	state: z.enum(INVITATION_STATES),
	answeredAt: iso.nullable().describe('When it was accepted, declined or withdrawn.')
});

export const needChampionsOut = z.object({
	champions: z.array(championOut),
	sponsors: z.array(championOut),
	changes: z.array(changeOut),
	viewer: z.object({ role: z.enum(CHAMPION_ROLES), since: iso }).nullable(),
	invitation: invitationOut
		.extend({ mayAccept: z.boolean().describe('False once the need no longer takes you (delivered, declined, hidden, or you left its closed group).') })
		.nullable()
		.describe('Your own open invitation to champion or sponsor this need, if any.'),
	invitations: z
		.array(invitationOut)
		.describe('For the need’s chairs and moderators: its open and declined invitations, oldest first; empty for everyone else.'),
	abilities: z.object({ volunteer: z.boolean(), withdraw: z.boolean(), remove: z.boolean(), linkChanges: z.boolean(), invite: z.boolean() })
});

export const invitationJson = (i: ChampionInvitation): z.input<typeof invitationOut> => ({
	id: i.id,
	needId: i.needId,
	member: i.member,
	role: i.role,
	note: i.note,
	invitedBy: i.invitedBy,
	createdAt: i.createdAt.toISOString(),
	state: i.state,
	answeredAt: isoOrNull(i.answeredAt)
});

const changeJson = (c: UpstreamChange): z.input<typeof changeOut> => ({
	...c,
	createdAt: c.createdAt.toISOString(),
	stateChangedAt: c.stateChangedAt.toISOString()
});

export const needChampionsJson = (n: NeedChampions): z.input<typeof needChampionsOut> => ({
	champions: n.champions.map((c) => ({ ...c, since: c.since.toISOString() })),
	sponsors: n.sponsors.map((c) => ({ ...c, since: c.since.toISOString() })),
	changes: n.changes.map(changeJson),
	viewer: n.viewer ? { role: n.viewer.role, since: n.viewer.since.toISOString() } : null,
	invitation: n.invitation ? { ...invitationJson(n.invitation), mayAccept: n.invitation.mayAccept } : null,
	invitations: n.invitations.map(invitationJson),
	abilities: n.abilities
});

export { changeJson };

const wantedOut = z.object({
	needs: z.array(
		z.object({
			id: z.number().int(),
			title: z.string(),
			status: z.enum(NEED_STATUSES),
			supportCount: z.number().int(),
			organizationCount: z.number().int(),
			group: z.object({ slug: z.string(), name: z.string() }).nullable(),
			components: z.array(z.object({ slug: z.string(), name: z.string() })),
			sponsorCount: z.number().int(),
			createdAt: iso
		})
	),
	nextCursor: z.string().nullable(),
	options: z.object({ sort: z.enum(WANTED_SORTS), group: z.string(), component: z.string(), limit: z.number().int() })
});

export const wantedJson = (w: WantedList): z.input<typeof wantedOut> => ({
	needs: w.needs.map((n) => ({ ...n, createdAt: n.createdAt.toISOString() })),
	nextCursor: w.nextCursor,
	options: w.options
});

const cycleOut = z.object({ slug: z.string(), name: z.string(), startsOn: z.string(), endsOn: z.string() });
const cycleJson = (c: Cycle) => ({ slug: c.slug, name: c.name, startsOn: c.startsOn, endsOn: c.endsOn });

const countsOut = z.object({
	inScope: z.number().int().describe('Needs of the cycle: accepted by its end and not closed through all of it.'),
	byState: z.record(z.enum(NEED_STATUSES), z.number().int()).describe('Their states at the cycle’s end (today for the running cycle).'),
	handedInCycle: z.number().int(),
	deliveredInCycle: z.number().int(),
	stalled: z.number().int().describe('Needs with a handoff still open upstream and no upstream change for `days` days (as of today).'),
	medianAcceptedToHanded: z.number().nullable().describe('Days, one decimal, over the needs handed during the cycle.'),
	medianHandedToDelivered: z.number().nullable().describe('Days, one decimal, over the needs delivered during the cycle.'),
	acceptedToHandedCount: z.number().int(),
	handedToDeliveredCount: z.number().int()
});

const scopeOut = z.object({
	cycle: cycleOut,
	group: z.object({ slug: z.string(), name: z.string() }).nullable(),
	component: z.union([z.object({ slug: z.string(), name: z.string() }), z.literal('none')]).nullable(),
	days: z.number().int(),
	start: iso,
	end: iso,
	asOf: iso
});

const scopeJson = (s: Scope): z.input<typeof scopeOut> => ({
	cycle: cycleJson(s.cycle),
	group: s.group && { slug: s.group.slug, name: s.group.name },
	component: s.component === 'none' || s.component === null ? s.component : { slug: s.component.slug, name: s.component.name },
	days: s.days,
	start: s.start.toISOString(),
	end: s.end.toISOString(),
	asOf: s.asOf.toISOString()
});

const dashboardOut = z.object({
	cycles: z.array(cycleOut),
	scope: scopeOut.nullable().describe('Null when no cycle is defined yet.'),
	totals: countsOut.nullable(),
	components: z.array(countsOut.extend({ component: z.object({ slug: z.string(), name: z.string() }).nullable().describe('Null: needs without a component.') }))
});

export const dashboardJson = (d: Dashboard | null, cycles: Cycle[]): z.input<typeof dashboardOut> => ({
	cycles: (d?.cycles ?? cycles).map(cycleJson),
	scope: d ? scopeJson(d.scope) : null,
	totals: d ? (d.totals satisfies MetricCounts) : null,
	components: d?.components ?? []
});

const accountabilityNeedsOut = z.object({
	scope: scopeOut.nullable(),
	metric: z.enum(METRICS),
	needs: z.array(
		z.object({
			id: z.number().int(),
			title: z.string(),
			status: z.enum(NEED_STATUSES).describe('Today.'),
			stateInCycle: z.enum(NEED_STATUSES).describe('At the cycle’s end.'),
			group: z.object({ slug: z.string(), name: z.string() }).nullable(),
			supportCount: z.number().int(),
			acceptedAt: iso.nullable(),
			handedAt: iso.nullable(),
			deliveredAt: iso.nullable(),
			daysAcceptedToHanded: z.number().nullable(),
			daysHandedToDelivered: z.number().nullable(),
			stalled: z.boolean(),
			lastUpstreamChangeAt: iso.nullable().describe('The oldest last upstream change among its open handoffs.')
		})
	),
	next: z.number().int().nullable()
});

export const accountabilityNeedsJson = (a: AccountabilityNeeds | null, metric: (typeof METRICS)[number]): z.input<typeof accountabilityNeedsOut> => ({
	scope: a ? scopeJson(a.scope) : null,
	metric: a?.metric ?? metric,
	needs: (a?.needs ?? []).map((n) => ({
		...n,
		acceptedAt: isoOrNull(n.acceptedAt),
		handedAt: isoOrNull(n.handedAt),
		deliveredAt: isoOrNull(n.deliveredAt),
		lastUpstreamChangeAt: isoOrNull(n.lastUpstreamChangeAt)
	})),
	next: a?.next ?? null
});

const tag = 'champions';
const auth = 'required' as const;

export const listWantedOp = defineOperation({
	id: 'listNeedsWithoutChampion',
	method: 'GET',
	path: '/champions',
	summary:
		'Needs a champion: accepted needs and needs with the developers that nobody champions yet (sponsors alone do not count), as the caller may read them. Sort by supporters (default), newest or oldest; filter by group and component slugs.',
	tag,
	auth: 'public',
	query: wantedInput,
	response: wantedOut
});

export const getNeedChampionsOp = defineOperation({
	id: 'getNeedChampions',
	method: 'GET',
	path: '/champions/needs/{id}',
	summary: 'A need’s champions, sponsors and linked upstream changes, with what the caller may do.',
	tag,
	auth: 'public',
	params: needParams,
	response: needChampionsOut
});

export const volunteerOp = defineOperation({
	id: 'volunteerForNeed',
	method: 'PUT',
	path: '/champions/needs/{id}/me',
	summary:
		'Stand as champion (you carry it upstream) or sponsor (you review or mentor) of a need that is not yet delivered, declined or merged. A closed group’s needs take its members only. The need’s followers are told.',
	tag,
	auth,
	params: needParams,
	body: z.object({ role, note: z.string().max(NOTE_MAX, `Note is at most ${NOTE_MAX} characters.`).optional() }),
	response: needChampionsOut
});

export const withdrawOp = defineOperation({
	id: 'withdrawFromNeed',
	method: 'DELETE',
	path: '/champions/needs/{id}/me',
	summary: 'Stop championing or sponsoring a need.',
	tag,
	auth,
	params: needParams,
	response: needChampionsOut
});

export const removeChampionOp = defineOperation({
	id: 'removeChampion',
	method: 'POST',
	path: '/champions/needs/{id}/members/{handle}/remove',
	summary: 'Remove a champion or sponsor from a need, with a reason they are told (the need’s moderators).',
	tag,
	auth,
	params: memberParams,
	body: z.object({ reason: z.string().max(REASON_MAX, `Reason is at most ${REASON_MAX.toLocaleString('en')} characters.`) }),
	response: needChampionsOut
});

const inviteeParams = needParams.extend({ handle: z.string().min(1).max(100).describe('The handle of the member asked.') });

export const inviteChampionOp = defineOperation({
	id: 'inviteChampion',
	method: 'POST',
	path: '/champions/needs/{id}/invitations',
	summary:
		'Ask a member to champion (default) or sponsor a need (its chairs and moderators), while it is open for champions. They are told and answer it; a closed group’s needs are offered to its own members only (anyone else is a field error on `handle`). One open invitation per member.',
	tag,
	auth,
	params: needParams,
	body: z.object({
		handle: z.string().max(100, 'No member has that handle.').describe('The member asked; a leading @ is fine.'),
		role: role.optional(),
		note: z.string().max(NOTE_MAX, `Note is at most ${NOTE_MAX} characters.`).optional().describe('Why them: sent with the invitation.')
	}),
	response: invitationOut,
	status: 201
});

export const withdrawInvitationOp = defineOperation({
	id: 'withdrawChampionInvitation',
	method: 'DELETE',
	path: '/champions/needs/{id}/invitations/{handle}',
	summary: 'Withdraw the open invitation to this member (the need’s chairs and moderators).',
	tag,
	auth,
	params: inviteeParams,
	response: invitationOut
});

export const acceptInvitationOp = defineOperation({
	id: 'acceptChampionInvitation',
	method: 'POST',
	path: '/champions/needs/{id}/me/invitation/accept',
	summary: 'Accept your open invitation to the need: you stand in the role asked exactly as volunteering would, and its followers are told.',
	tag,
	auth,
	params: needParams,
	body: z.object({ note: z.string().max(NOTE_MAX, `Note is at most ${NOTE_MAX} characters.`).optional().describe('What you mean to do.') }),
	response: needChampionsOut
});

export const declineInvitationOp = defineOperation({
	id: 'declineChampionInvitation',
	method: 'POST',
	path: '/champions/needs/{id}/me/invitation/decline',
	summary: 'Decline your open invitation to the need; whoever asked is told.',
	tag,
	auth,
	params: needParams,
	response: needChampionsOut
});

export const linkChangeOp = defineOperation({
	id: 'linkUpstreamChange',
	method: 'POST',
	path: '/champions/needs/{id}/changes',
	summary:
		'Link an upstream change to a need (its champions, sponsors and moderators): a Gerrit change (…/c/<project>/+/<n>), a GitHub pull request or a GitLab merge request. Other addresses are refused.',
	tag,
	auth,
	params: needParams,
	body: z.object({
		url: z.string().max(CHANGE_URL_MAX, `Address is at most ${CHANGE_URL_MAX.toLocaleString('en')} characters.`),
		state: changeState.optional()
	}),
	response: changeOut,
	status: 201
});

export const setChangeStateOp = defineOperation({
	id: 'setUpstreamChangeState',
	method: 'PATCH',
	path: '/champions/changes/{changeId}',
	summary: 'Set a linked change’s state: open, merged or abandoned (a closed pull or merge request).',
	tag,
	auth,
	params: changeParams,
	body: z.object({ state: changeState }),
	response: changeOut
});

export const unlinkChangeOp = defineOperation({
	id: 'unlinkUpstreamChange',
	method: 'DELETE',
	path: '/champions/changes/{changeId}',
	summary: 'Unlink a change from its need.',
	tag,
	auth,
	params: changeParams,
	response: changeOut
});

export const dashboardOp = defineOperation({
	id: 'getAccountabilityDashboard',
	method: 'GET',
	path: '/accountability',
	summary:
		'What became of a cycle’s needs (the running cycle by default), for one group or all: needs by state at the cycle’s end, handed and delivered during it, median days accepted → handed and handed → delivered, stalled handoffs, and the same by component. Counts only needs the caller may read.',
	tag: 'accountability',
	auth: 'public',
	query: dashboardInput,
	response: dashboardOut
});

export const accountabilityNeedsOp = defineOperation({
	id: 'listAccountabilityNeeds',
	method: 'GET',
	path: '/accountability/needs',
	summary: 'The needs behind one dashboard number: the same cycle, group, component and days, and the metric. Newest need first; continue with `after`.',
	tag: 'accountability',
	auth: 'public',
	query: accountabilityNeedsInput,
	response: accountabilityNeedsOut
});

export const championsOperations: readonly Operation[] = [
	listWantedOp,
	getNeedChampionsOp,
	volunteerOp,
	withdrawOp,
	removeChampionOp,
	inviteChampionOp,
	withdrawInvitationOp,
	acceptInvitationOp,
	declineInvitationOp,
	linkChangeOp,
	setChangeStateOp,
	unlinkChangeOp,
	dashboardOp,
	accountabilityNeedsOp
];
