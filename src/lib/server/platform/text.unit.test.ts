import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NUL_MESSAGE, SURROGATE_MESSAGE, isStorableText, oneLineText, storable, stripBidiControls, textProblem, unstorableFields, userText } from './text.ts';
import { AppError, appErrorOf, fieldErrorsOf, statusOf } from './errors.ts';

const errorsOf = (schema: z.ZodType, value: unknown) => {
	const result = z.object({ f: schema }).safeParse({ f: value });
	return result.success ? {} : fieldErrorsOf(result.error);
};

describe('storable text', () => {
	it('refuses NUL and unpaired surrogates, high or low, and accepts paired ones', () => {
		expect(textProblem('a\u0000b')).toBe(NUL_MESSAGE);
		expect(textProblem('a\uD800b')).toBe(SURROGATE_MESSAGE);
		expect(textProblem('a\uD800')).toBe(SURROGATE_MESSAGE);
		expect(textProblem('\uDC00b')).toBe(SURROGATE_MESSAGE);
		expect(textProblem('\uDC00\uD800')).toBe(SURROGATE_MESSAGE);
		expect(textProblem('a 😀 b \u202Eé')).toBeNull();
		expect(isStorableText('plain')).toBe(true);
	});

	it('names the problem on the field, ahead of other messages', () => {
		const title = userText({ field: 'Title', max: 5, min: 2 });
		expect(errorsOf(title, 'a\u0000bcdefgh')).toEqual({ f: NUL_MESSAGE });
		expect(errorsOf(title, '\uDC00')).toEqual({ f: SURROGATE_MESSAGE });
		expect(errorsOf(title, ' ab ')).toEqual({});
		expect(errorsOf(title, 'abcdefg')).toEqual({ f: 'Title is at most 5 characters.' });
		expect(errorsOf(title, ' ')).toEqual({ f: 'Title is required.' });
		expect(errorsOf(title, undefined)).toEqual({ f: 'Title is required.' });
		// A title was sent, just not as text: the message says so instead of asking for one (issue 11).
		expect(errorsOf(title, 3)).toEqual({ f: 'Title must be text.' });
		expect(errorsOf(title, null)).toEqual({ f: 'Title must be text.' });
		expect(errorsOf(storable(z.string()), '\u0000')).toEqual({ f: NUL_MESSAGE });
	});

	it('keeps bidi controls in long text and strips them from one-line text before trimming and counting', () => {
		expect(userText({ field: 'Body' }).parse(' a\u202Eb ')).toBe('a\u202Eb');
		const name = oneLineText({ field: 'Name', min: 1, max: 4 });
		expect(name.parse('\u202E gnp.exe'.slice(0, 6))).toBe('gnp.');
		expect(name.parse(' \u2066abcd\u2069 ')).toBe('abcd');
		expect(errorsOf(name, '\u202E\u200F ')).toEqual({ f: 'Name is required.' });
		expect(stripBidiControls('\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200E\u200F\u061Cok')).toBe('ok');
		// Joiners and other format characters that scripts need stay.
		expect(stripBidiControls('क्\u200D')).toBe('क्\u200D');
	});

	it('finds every unstorable string of a request by its path, keys included', () => {
		expect(unstorableFields({ a: 'ok', b: ['x', 'y\u0000'], c: { d: '\uD800' }, 'k\u0000': 'v' }, 'body')).toEqual({
			'body.b.1': NUL_MESSAGE,
			'body.c.d': SURROGATE_MESSAGE,
			'body.k\\0': NUL_MESSAGE
		});
		expect(unstorableFields('\u0000')).toEqual({ _: NUL_MESSAGE });
		expect(unstorableFields({ n: 1, b: true, z: null })).toEqual({});
	});
});

describe('the database net', () => {
	it('maps PostgreSQL refusals of unstorable text to invalid_input, and nothing else', () => {
		for (const e of [
			{ code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' },
			{ code: '22P05', message: 'unsupported Unicode escape sequence' },
			{ code: '22P02', message: 'invalid input syntax for type json' }
		]) {
			const mapped = appErrorOf(Object.assign(new Error(e.message), e));
			expect(mapped?.code).toBe('invalid_input');
			expect(statusOf(mapped!.code)).toBe(400);
		}
		expect(appErrorOf(Object.assign(new Error('invalid input syntax for type integer'), { code: '22P02' }))).toBeNull();
		expect(appErrorOf(new Error('boom'))).toBeNull();
		const own = new AppError('conflict', 'taken');
		expect(appErrorOf(own)).toBe(own);
	});
});
