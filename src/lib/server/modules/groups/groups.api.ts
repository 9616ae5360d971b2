import { z } from 'zod';
import { defineOperation } from '#lib/server/platform/http/api.ts';
import type { GroupAbilities } from './groups.policy.ts';
import type { Group, GroupListItem, GroupMembership, MemberRef } from './groups.queries.ts';
import {
	groupCharter,
	groupKind,
	groupName,
	groupSlug,
	groupSummary,
	groupVisibility,
	inviteInput,
	listGroupsInput,
	listMembershipsInput,
	requestToJoinInput,
	setRoleInput,
	updateGroupInput
} from './groups.schemas.ts';
import { GROUP_KINDS, GROUP_ROLES, GROUP_VISIBILITIES } from './groups.tables.ts';

// ---------------------------------------------------------------------------------------------------
// What the API returns; dates travel as ISO 8601 strings.

const memberRefOut = z.object({ id: z.number().int(), handle: z.string(), displayName: z.string() });

export const groupOut = z.object({
	id: z.number().int(),
	slug: z.string(),
	name: z.string(),
	kind: z.enum(GROUP_KINDS),
	visibility: z.enum(GROUP_VISIBILITIES),
	summary: z.string(),
	charter: z.string().describe('Markdown.'),
	createdAt: z.iso.datetime(),
	updatedAt: z.iso.datetime()
});

const myMembershipOut = z.object({ role: z.enum(GROUP_ROLES), state: z.enum(['active', 'requested', 'invited']) });

export const groupListItemOut = groupOut.omit({ charter: true }).extend({
	memberCount: z.number().int().nullable().describe('Active members; null for a closed group the caller is not a member of.'),
	myMembership: myMembershipOut.nullable()
});

export const membershipOut = z.object({
	member: memberRefOut,
	role: z.enum(GROUP_ROLES),
	state: z.enum(['active', 'requested', 'invited']),
	message: z.string().describe("The requester's or inviter's note while pending."),
	invitedBy: memberRefOut.nullable(),
	since: z.iso.datetime(),
	updatedAt: z.iso.datetime()
});

const abilitiesOut = z.object({
	readWork: z.boolean(),
	seeMembers: z.boolean(),
	update: z.boolean(),
	join: z.boolean(),
	requestToJoin: z.boolean(),
	respondToInvitation: z.boolean(),
	withdrawRequest: z.boolean(),
	leave: z.boolean(),
	decideRequests: z.boolean(),
	invite: z.boolean(),
	setRoles: z.boolean(),
	removeMembers: z.boolean()
});

export const groupDetailOut = groupOut.extend({
	memberCount: z.number().int().nullable(),
	myMembership: membershipOut.nullable(),
	abilities: abilitiesOut.describe('What the caller may do here.')
});

const refJson = (m: MemberRef) => ({ id: m.id, handle: m.handle, displayName: m.displayName });

export const groupJson = (g: Group) => ({
	id: g.id,
	slug: g.slug,
	name: g.name,
	kind: g.kind,
	visibility: g.visibility,
	summary: g.summary,
	charter: g.charter,
	createdAt: g.createdAt.toISOString(),
	updatedAt: g.updatedAt.toISOString()
});

export const groupListItemJson = (g: GroupListItem) => ({
	id: g.id,
	slug: g.slug,
	name: g.name,
	kind: g.kind,
	visibility: g.visibility,
	summary: g.summary,
	createdAt: g.createdAt.toISOString(),
	updatedAt: g.updatedAt.toISOString(),
	memberCount: g.memberCount,
	myMembership: g.myMembership
});

export const membershipJson = (m: GroupMembership) => ({
	member: refJson(m.member),
	role: m.role,
	state: m.state,
	message: m.message,
	invitedBy: m.invitedBy && refJson(m.invitedBy),
	since: m.since.toISOString(),
	updatedAt: m.updatedAt.toISOString()
});

export const groupDetailJson = (d: { group: Group; memberCount: number | null; myMembership: GroupMembership | null; abilities: GroupAbilities }) => ({
	...groupJson(d.group),
	memberCount: d.memberCount,
	myMembership: d.myMembership && membershipJson(d.myMembership),
	abilities: d.abilities
});

// ---------------------------------------------------------------------------------------------------
// Inputs. Path parameters are checked loosely: an unknown slug or handle answers 404.

const slugParams = z.object({ slug: z.string().min(1).max(100).describe("The group's address, e.g. large-scale-sig.") });
const memberParams = slugParams.extend({ handle: z.string().min(1).max(100).describe("The member's handle.") });

/** The create body as the API documents it; the command also derives a missing slug from the name. */
const createGroupBody = z.object({
	slug: groupSlug.optional().describe('The address under /groups/; made from the name when left out.'),
	name: groupName,
	kind: groupKind,
	visibility: groupVisibility,
	summary: groupSummary.default(''),
	charter: groupCharter.default('').describe('Markdown.')
});

const tag = 'groups';

export const listGroupsOp = defineOperation({
	id: 'listGroups',
	method: 'GET',
	path: '/groups',
	summary: 'Every group, by name. Closed groups are listed too; their member counts show to their members only.',
	tag,
	auth: 'public',
	query: listGroupsInput,
	response: z.object({ groups: z.array(groupListItemOut) })
});

export const createGroupOp = defineOperation({
	id: 'createGroup',
	method: 'POST',
	path: '/groups',
	summary: 'Create a group (administrators); the creator becomes its chair.',
	tag,
	auth: 'required',
	body: createGroupBody,
	response: groupOut,
	status: 201
});

export const getGroupOp = defineOperation({
	id: 'getGroup',
	method: 'GET',
	path: '/groups/{slug}',
	summary: "A group, the caller's membership and what the caller may do.",
	tag,
	auth: 'public',
	params: slugParams,
	response: groupDetailOut
});

export const updateGroupOp = defineOperation({
	id: 'updateGroup',
	method: 'PATCH',
	path: '/groups/{slug}',
	summary: 'Change the name, kind, visibility, summary or charter (chairs and administrators). Send only what changes.',
	tag,
	auth: 'required',
	params: slugParams,
	body: updateGroupInput,
	response: groupOut
});

export const listMembershipsOp = defineOperation({
	id: 'listGroupMemberships',
	method: 'GET',
	path: '/groups/{slug}/memberships',
	summary:
		"A group's members (state=active, the default: everyone for an open group, members for a closed one), requests to join (state=requested: chairs and moderators) or invitations (state=invited: chairs).",
	tag,
	auth: 'public',
	params: slugParams,
	query: listMembershipsInput,
	response: z.object({ memberships: z.array(membershipOut) })
});

export const joinGroupOp = defineOperation({
	id: 'joinGroup',
	method: 'POST',
	path: '/groups/{slug}/memberships',
	summary:
		'Join: an open group at once (state active), a closed group by request (state requested, with an optional message). A pending invitation is accepted.',
	tag,
	auth: 'required',
	params: slugParams,
	body: requestToJoinInput,
	response: membershipOut,
	status: 201
});

export const approveRequestOp = defineOperation({
	id: 'approveGroupRequest',
	method: 'POST',
	path: '/groups/{slug}/memberships/{handle}/approve',
	summary: 'Approve a request to join (chairs and moderators).',
	tag,
	auth: 'required',
	params: memberParams,
	response: membershipOut
});

export const declineRequestOp = defineOperation({
	id: 'declineGroupRequest',
	method: 'POST',
	path: '/groups/{slug}/memberships/{handle}/decline',
	summary: 'Decline a request to join (chairs and moderators).',
	tag,
	auth: 'required',
	params: memberParams,
	response: z.null(),
	status: 204
});

export const setRoleOp = defineOperation({
	id: 'setGroupRole',
	method: 'PATCH',
	path: '/groups/{slug}/memberships/{handle}',
	summary: 'Make an active member chair, moderator or member (chairs). A group keeps at least one chair.',
	tag,
	auth: 'required',
	params: memberParams,
	body: setRoleInput,
	response: membershipOut
});

export const deleteMembershipOp = defineOperation({
	id: 'deleteGroupMembership',
	method: 'DELETE',
	path: '/groups/{slug}/memberships/{handle}',
	summary:
		"With your own handle: leave, withdraw your request, or decline your invitation. With another's: remove them or withdraw their invitation (chairs). The last chair stays.",
	tag,
	auth: 'required',
	params: memberParams,
	response: z.null(),
	status: 204
});

export const inviteOp = defineOperation({
	id: 'inviteToGroup',
	method: 'POST',
	path: '/groups/{slug}/invitations',
	summary: 'Invite a member by handle (chairs). If they had asked to join, they become a member at once.',
	tag,
	auth: 'required',
	params: slugParams,
	body: inviteInput,
	response: membershipOut,
	status: 201
});

export const groupsOperations = [
	listGroupsOp,
	createGroupOp,
	getGroupOp,
	updateGroupOp,
	listMembershipsOp,
	joinGroupOp,
	approveRequestOp,
	declineRequestOp,
	setRoleOp,
	deleteMembershipOp,
	inviteOp
];
