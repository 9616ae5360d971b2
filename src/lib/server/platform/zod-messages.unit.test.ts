import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { fieldErrorsOf } from './errors.ts';
import { fieldLabel } from './zod-messages.ts';

/** The field messages of parsing `value` with `schema`, by dotted path. */
const errorsOf = (schema: z.ZodType, value: unknown) => {
	const result = schema.safeParse(value);
	return result.success ? {} : fieldErrorsOf(result.error);
};

describe('the wording of issues a schema leaves unworded (issue 11)', () => {
	it('names the field and says whether it is missing or of the wrong type', () => {
		const schema = z.object({ sourceChannel: z.string(), count: z.number(), tags: z.array(z.string()) });
		expect(errorsOf(schema, {})).toEqual({ sourceChannel: 'Source channel is required.', count: 'Count is required.', tags: 'Tags is required.' });
		expect(errorsOf(schema, { sourceChannel: 3, count: 'x', tags: {} })).toEqual({
			sourceChannel: 'Source channel must be text, not a number.',
			count: 'Count must be a number, not text.',
			tags: 'Tags must be a list, not an object.'
		});
	});

	it('lists the allowed values of an enum, and of a union of an enum with the empty text', () => {
		const sort = z.object({ sort: z.union([z.literal(''), z.enum(['top', 'new', 'trending'])]).default('') });
		expect(errorsOf(sort, { sort: 'weird' })).toEqual({ sort: 'Sort is one of top, new or trending (or empty).' });
		expect(errorsOf(z.object({ kind: z.enum(['bug', 'feature']) }), { kind: 'x' })).toEqual({ kind: 'Kind is one of bug or feature.' });
		expect(errorsOf(z.object({ confirmed: z.literal(true) }), { confirmed: false })).toEqual({ confirmed: 'Confirmed must be true.' });
	});

	it('takes the closest option of other unions', () => {
		const link = z.object({ url: z.union([z.literal(''), z.url({ error: 'Link must be an http(s) URL.' }), z.null()]) });
		expect(errorsOf(link, { url: 'nope' })).toEqual({ url: 'Link must be an http(s) URL.' });
		expect(errorsOf(link, { url: 3 })).toEqual({ url: 'Url must be text, null or empty.' });
		const shape = z.object({ at: z.union([z.object({ day: z.number() }), z.string()]) });
		expect(errorsOf(shape, { at: { day: 'monday' } })).toEqual({ at: 'Day must be a number, not text.' });
	});

	it('words sizes, formats and unknown keys', () => {
		const schema = z.strictObject({ name: z.string().max(3), list: z.array(z.number()).min(2), mail: z.email(), n: z.number().int().positive() });
		expect(errorsOf(schema, { name: 'abcd', list: [1], mail: 'x', n: 0, extra: 1 })).toEqual({
			name: 'Name is at most 3 characters.',
			list: 'List is at least 2 items.',
			mail: 'Mail must be an e-mail address.',
			n: '"n" is more than 0.',
			_: 'Unknown field extra; the fields are name, list, mail and n.'
		});
	});

	it('leaves a schema’s own message alone', () => {
		expect(errorsOf(z.object({ kind: z.enum(['a', 'b'], { error: 'Pick a or b.' }) }), { kind: 'c' })).toEqual({ kind: 'Pick a or b.' });
	});

	it('labels paths', () => {
		expect(fieldLabel([])).toBe('This value');
		expect(fieldLabel(['deploymentId'])).toBe('Deployment id');
		expect(fieldLabel(['ranking', 0, 1])).toBe('Ranking item 1');
		expect(fieldLabel(['q'])).toBe('"q"');
	});
});
