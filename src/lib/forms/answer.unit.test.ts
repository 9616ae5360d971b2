import { describe, expect, it } from 'vitest';
import { parseId } from '#lib/ids.ts';
import { answerOf } from './answer.ts';

describe('answerOf', () => {
	const failure = { message: 'Some fields need another look.', fields: { slug: 'Taken.' }, values: { intent: 'edit-3', slug: 'nova', name: 'Nova' } };

	it('gives the failure, kept input and field messages to the form whose intent failed, and nothing to the others', () => {
		const answer = answerOf(failure);
		expect(answer.failure).toBe(failure);
		expect(answer.failedIntent).toBe('edit-3');
		expect(answer.kept('edit-3')).toEqual(failure.values);
		expect(answer.errors('edit-3')).toEqual({ slug: 'Taken.' });
		expect(answer.value('edit-3', 'slug', 'stored')).toBe('nova');
		expect(answer.failureOf('edit-3')).toBe(failure);
		expect(answer.kept('create')).toEqual({});
		expect(answer.errors('create')).toEqual({});
		expect(answer.value('create', 'slug', 'stored')).toBe('stored');
		expect(answer.failureOf('create')).toBeNull();
		// A page with one form asks without an intent.
		expect(answer.errors()).toEqual({ slug: 'Taken.' });
		expect(answer.keptOr({ slug: 'stored' })).toEqual(failure.values);
	});

	it('reads a success, and no answer at all, as no failure', () => {
		const done = answerOf({ success: 'Saved.', intent: 'edit-3' });
		expect(done.success).toBe('Saved.');
		expect(done.failure).toBeNull();
		expect(done.kept('edit-3')).toEqual({});
		expect(done.keptOr({ slug: 'stored' })).toEqual({ slug: 'stored' });
		for (const none of [null, undefined]) {
			const answer = answerOf(none);
			expect([answer.failure, answer.success, answer.failedIntent]).toEqual([null, null, '']);
			expect(answer.errors()).toEqual({});
		}
	});
});

describe('parseId (the [id=id] matcher and form ids)', () => {
	it('takes 1 to 15 digits without a leading zero, and nothing else', () => {
		expect(parseId('1')).toBe(1);
		expect(parseId('8589934591')).toBe(8589934591);
		expect(parseId('999999999999999')).toBe(999999999999999);
		for (const text of ['', '0', '007', '1e3', '-1', '1.0', ' 1', '1 ', '١', '9999999999999999', 'abc'] as const) expect(parseId(text), text).toBeUndefined();
		for (const value of [1, null, undefined, ['1']]) expect(parseId(value)).toBeUndefined();
	});
});
