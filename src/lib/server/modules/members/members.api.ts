import { z } from 'zod';
import { defineOperation } from '#lib/server/platform/http/api.ts';
import { SEGMENTS } from './members.tables.ts';

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

export const getMe = defineOperation({
	id: 'getMe',
	method: 'GET',
	path: '/me',
	summary: 'The member the token or session belongs to.',
	tag: 'members',
	auth: 'required',
	response: accountOut
});

export const membersOperations = [getMe];
