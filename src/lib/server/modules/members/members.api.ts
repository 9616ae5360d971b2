import { z } from 'zod';
import { defineOperation } from '#lib/server/platform/http/api.ts';
import { SEGMENTS } from './members.tables.ts';
import { deploymentInput, deploymentPatchInput, id, memberListInput, profilePatchInput, tokenInput } from './members.schemas.ts';
import type { Account, ApiToken, Deployment, Member } from './members.queries.ts';

/** What the API returns; dates travel as ISO 8601 strings. */
export const memberOut = z.object({
	id: z.number().int(),
	handle: z.string(),
	displayName: z.string(),
	organization: z.string().nullable(),
	segments: z.array(z.enum(SEGMENTS)),
	bio: z.string(),
	isAdmin: z.boolean(),
	joinedAt: z.iso.datetime()
});

export const accountOut = memberOut.extend({ email: z.string(), emailVerified: z.boolean(), hasPassword: z.boolean() });

export const deploymentOut = z.object({
	id: z.number().int(),
	name: z.string(),
	nodes: z.number().int().nullable().describe('Hypervisors or nodes.'),
	instances: z.number().int().nullable(),
	releases: z.array(z.string()),
	components: z.array(z.string()),
	region: z.string().nullable(),
	updatedAt: z.iso.datetime()
});

export const memberProfileOut = memberOut.extend({ deployments: z.array(deploymentOut) });

export const tokenOut = z.object({
	id: z.number().int(),
	name: z.string(),
	prefix: z.string().describe('The first characters of the token, to tell tokens apart.'),
	createdAt: z.iso.datetime(),
	lastUsedAt: z.iso.datetime().nullable()
});

export const newTokenOut = tokenOut.extend({
	secret: z.string().describe('The whole token. It is shown this once and cannot be read again; send it as "Authorization: Bearer <secret>".')
});

export const memberJson = (m: Member): z.input<typeof memberOut> => ({
	id: m.id,
	handle: m.handle,
	displayName: m.displayName,
	organization: m.organization,
	segments: m.segments,
	bio: m.bio,
	isAdmin: m.isAdmin,
	joinedAt: m.joinedAt.toISOString()
});

export const accountJson = (a: Account): z.input<typeof accountOut> => ({
	...memberJson(a),
	email: a.email,
	emailVerified: a.emailVerified,
	hasPassword: a.hasPassword
});

export const deploymentJson = (d: Deployment): z.input<typeof deploymentOut> => ({ ...d, updatedAt: d.updatedAt.toISOString() });

export const tokenJson = (t: ApiToken): z.input<typeof tokenOut> => ({
	id: t.id,
	name: t.name,
	prefix: t.prefix,
	createdAt: t.createdAt.toISOString(),
	lastUsedAt: t.lastUsedAt?.toISOString() ?? null
});

const handleParams = z.object({ handle: z.string().min(1).max(100).describe('The member handle, without @.') });
const idParams = z.object({ id });

export const getMe = defineOperation({
	id: 'getMe',
	method: 'GET',
	path: '/me',
	summary: 'The member the token or session belongs to.',
	tag: 'members',
	auth: 'required',
	response: accountOut
});

export const updateMe = defineOperation({
	id: 'updateMe',
	method: 'PATCH',
	path: '/me',
	summary: 'Change your profile. Fields left out stay as they are; a taken handle is a 409 with a field error.',
	tag: 'members',
	auth: 'required',
	body: profilePatchInput,
	response: accountOut
});

export const listMembersOperation = defineOperation({
	id: 'listMembers',
	method: 'GET',
	path: '/members',
	summary:
		'The members directory, by handle. Search by name, handle or organization, filter by segment; continue with `after` = the `next` of the previous page.',
	tag: 'members',
	auth: 'public',
	query: memberListInput,
	response: z.object({ members: z.array(memberOut), next: z.string().nullable() })
});

export const getMemberOperation = defineOperation({
	id: 'getMember',
	method: 'GET',
	path: '/members/{handle}',
	summary: 'A member profile with its deployments.',
	tag: 'members',
	auth: 'public',
	params: handleParams,
	response: memberProfileOut
});

export const setMemberAdmin = defineOperation({
	id: 'setMemberAdmin',
	method: 'POST',
	path: '/members/{handle}/admin',
	summary: 'Grant or revoke the admin role (administrators only). The last administrator cannot be revoked.',
	tag: 'members',
	auth: 'required',
	params: handleParams,
	body: z.object({ isAdmin: z.boolean({ error: 'Say true or false.' }) }),
	response: memberOut
});

export const listMyDeployments = defineOperation({
	id: 'listMyDeployments',
	method: 'GET',
	path: '/me/deployments',
	summary: 'Your deployments.',
	tag: 'members',
	auth: 'required',
	response: z.object({ deployments: z.array(deploymentOut) })
});

export const addMyDeployment = defineOperation({
	id: 'addMyDeployment',
	method: 'POST',
	path: '/me/deployments',
	summary: 'Add a deployment you run.',
	tag: 'members',
	auth: 'required',
	body: deploymentInput,
	response: deploymentOut,
	status: 201
});

export const updateMyDeployment = defineOperation({
	id: 'updateMyDeployment',
	method: 'PATCH',
	path: '/me/deployments/{id}',
	summary: 'Change one of your deployments. Fields left out stay as they are; null clears a number or the region.',
	tag: 'members',
	auth: 'required',
	params: idParams,
	body: deploymentPatchInput,
	response: deploymentOut
});

export const removeMyDeployment = defineOperation({
	id: 'removeMyDeployment',
	method: 'DELETE',
	path: '/me/deployments/{id}',
	summary: 'Remove one of your deployments.',
	tag: 'members',
	auth: 'required',
	params: idParams,
	response: z.null(),
	status: 204
});

export const listMyTokens = defineOperation({
	id: 'listMyTokens',
	method: 'GET',
	path: '/me/tokens',
	summary: 'Your live personal API tokens (never their secrets).',
	tag: 'members',
	auth: 'required',
	response: z.object({ tokens: z.array(tokenOut) })
});

export const createMyToken = defineOperation({
	id: 'createMyToken',
	method: 'POST',
	path: '/me/tokens',
	summary: 'Create a personal API token. The response carries the secret, once. Allowed from a signed-in session, not with another token.',
	tag: 'members',
	auth: 'required',
	body: tokenInput,
	response: newTokenOut,
	status: 201
});

export const revokeMyToken = defineOperation({
	id: 'revokeMyToken',
	method: 'DELETE',
	path: '/me/tokens/{id}',
	summary: 'Revoke one of your tokens; it stops working at once.',
	tag: 'members',
	auth: 'required',
	params: idParams,
	response: z.null(),
	status: 204
});

export const membersOperations = [
	getMe,
	updateMe,
	listMyDeployments,
	addMyDeployment,
	updateMyDeployment,
	removeMyDeployment,
	listMyTokens,
	createMyToken,
	revokeMyToken,
	listMembersOperation,
	getMemberOperation,
	setMemberAdmin
];
