import { describe, expect, it } from 'vitest';
import type { Actor } from '#lib/server/platform/context.ts';
import { mayAdminister, mayCreateToken, mayIssueResetLink, mayManageMember } from './members.policy.ts';

const actor = (memberId: number, extra: Partial<Actor> = {}): Actor => ({
	memberId,
	handle: `m${memberId}`,
	displayName: 'M',
	isAdmin: false,
	via: 'session',
	...extra
});

describe('members policy', () => {
	it('a member manages only themselves; admins get no exception', () => {
		expect(mayManageMember(null, 1)).toBe(false);
		expect(mayManageMember(actor(1), 1)).toBe(true);
		expect(mayManageMember(actor(2), 1)).toBe(false);
		expect(mayManageMember(actor(2, { isAdmin: true }), 1)).toBe(false);
	});

	it('only admins administer', () => {
		expect(mayAdminister(null)).toBe(false);
		expect(mayAdminister(actor(1))).toBe(false);
		expect(mayAdminister(actor(1, { isAdmin: true }))).toBe(true);
	});

	it('tokens are made from a session or the command line, never by a token', () => {
		expect(mayCreateToken(actor(1), 1)).toBe(true);
		expect(mayCreateToken(actor(1, { via: 'cli' }), 1)).toBe(true);
		expect(mayCreateToken(actor(1, { via: 'token' }), 1)).toBe(false);
		expect(mayCreateToken(actor(2), 1)).toBe(false);
		expect(mayCreateToken(null, 1)).toBe(false);
	});

	it('reset links are issued by administrators from a session or the command line, never with a token', () => {
		expect(mayIssueResetLink(null)).toBe(false);
		expect(mayIssueResetLink(actor(1))).toBe(false);
		expect(mayIssueResetLink(actor(1, { via: 'cli', isAdmin: true }))).toBe(true);
		expect(mayIssueResetLink(actor(1, { isAdmin: true }))).toBe(true);
		expect(mayIssueResetLink(actor(1, { isAdmin: true, via: 'token' }))).toBe(false);
	});
});
