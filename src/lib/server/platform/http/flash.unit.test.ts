import { describe, expect, it } from 'vitest';
import { pageAddress } from './flash.ts';

describe('pageAddress', () => {
	it('drops the action parameter and keeps the rest of the query', () => {
		expect(pageAddress(new URL('http://x/needs/260?/comment'))).toBe('/needs/260');
		expect(pageAddress(new URL('http://x/groups/ops?tab=queue&/triage'))).toBe('/groups/ops?tab=queue');
		expect(pageAddress(new URL('http://x/admin/cycles'))).toBe('/admin/cycles');
	});
});
