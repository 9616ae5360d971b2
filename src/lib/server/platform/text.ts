import { z } from 'zod';
import type { FieldErrors } from './errors.ts';

/*
 * The one text schema for everything a person types (decision 0013).
 *
 * - NUL (U+0000) and unpaired UTF-16 surrogates are refused with a field error: PostgreSQL cannot store
 *   NUL in text or jsonb, and a lone surrogate is not a character at all (it would be stored as U+FFFD, or
 *   break jsonb). Nobody types either on purpose.
 * - Bidirectional controls (embeddings, overrides, isolates and the LRM/RLM/ALM marks) are stripped from
 *   one-line text (names, titles, handles, tags): pasted from elsewhere they are invisible, and in a name
 *   shown beside other text they can reorder what a reader sees ("‮gnp.exe"). Long Markdown text keeps
 *   them: a right-to-left writer may need them, and the renderer keeps each paragraph to itself.
 */

const NUL = /\u0000/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATE_ALL = new RegExp(LONE_SURROGATE.source, 'g');
/** U+202A–U+202E embeddings and overrides, U+2066–U+2069 isolates, U+200E/U+200F and U+061C marks. */
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;

export const NUL_MESSAGE = 'Remove the invisible NUL character.';
export const SURROGATE_MESSAGE = 'Remove the broken character (half of a UTF-16 surrogate pair).';

/** What is wrong with a text that cannot be stored, or null when it can. */
export function textProblem(value: string): string | null {
	if (NUL.test(value)) return NUL_MESSAGE;
	if (LONE_SURROGATE.test(value)) return SURROGATE_MESSAGE;
	return null;
}

/** True when the text can be stored and compared: no NUL, no lone surrogate. */
export const isStorableText = (value: string) => textProblem(value) === null;

/** The text without bidirectional embedding, override, isolate and mark characters. */
export const stripBidiControls = (value: string) => value.replace(BIDI_CONTROLS, '');

/** A zod check refusing NUL and lone surrogates, for any string schema (records' keys and values too). */
export function storable<S extends z.ZodType<string>>(schema: S): S {
	return schema.check((ctx) => {
		const problem = textProblem(ctx.value);
		if (problem) ctx.issues.push({ code: 'custom', message: problem, input: ctx.value, continue: false });
	}) as S;
}

export interface TextOptions {
	/** The field's name in messages: "Title is required.", "Title is at most 200 characters." */
	field: string;
	/** At most this many characters (after trimming). */
	max?: number;
	/** At least this many characters (after trimming), with `minMessage` or "<field> is required.". */
	min?: number;
	minMessage?: string;
	/** Message when the value is missing; "<field> is required." by default. A value that is not text is told "<field> must be text.". */
	required?: string;
	/** Message when the value is too long; "<field> is at most <max> characters." by default. */
	tooLong?: string;
	/** Trim surrounding white space (the default); passwords and secrets are kept as typed. */
	trim?: boolean;
}

function build(options: TextOptions, oneLine: boolean): z.ZodString {
	const { field, max, min, trim = true } = options;
	const missing = options.required ?? `${field} is required.`;
	// Only the type is worded here: a check chained on later without a message gets the shared wording (zod-messages.ts).
	const error = (issue: { code: string; input?: unknown }) =>
		issue.code === 'invalid_type' ? (issue.input === undefined ? missing : `${field} must be text.`) : undefined;
	let schema = storable(z.string({ error }));
	if (oneLine) schema = schema.overwrite(stripBidiControls);
	if (trim) schema = schema.trim();
	if (min !== undefined) schema = schema.min(min, options.minMessage ?? `${field} is required.`);
	if (max !== undefined) schema = schema.max(max, options.tooLong ?? `${field} is at most ${max.toLocaleString('en')} characters.`);
	return schema;
}

/** Text of any length and shape (a description, a comment, a charter in Markdown): refused if unstorable, trimmed. */
export const userText = (options: TextOptions): z.ZodString => build(options, false);

/** A name, title, handle or tag: as `userText`, and bidirectional controls are stripped before trimming. */
export const oneLineText = (options: TextOptions): z.ZodString => build(options, true);

/**
 * Every string in a parsed request (params, query, JSON body) that cannot be stored, by its dotted path:
 * the API's safety net for schemas that do not use the builders above. Keys are checked as well as values.
 */
export function unstorableFields(value: unknown, prefix = '', found: FieldErrors = {}, depth = 0): FieldErrors {
	const at = (key: string | number) => (prefix ? `${prefix}.${key}` : String(key));
	if (typeof value === 'string') {
		const problem = textProblem(value);
		if (problem) found[prefix || '_'] ??= problem;
	} else if (depth < 20 && Array.isArray(value)) {
		value.forEach((item, i) => unstorableFields(item, at(i), found, depth + 1));
	} else if (depth < 20 && value && typeof value === 'object') {
		for (const [key, item] of Object.entries(value)) {
			const problem = textProblem(key);
			if (problem) found[at(key.replace(/\u0000/g, '\\0').replace(LONE_SURROGATE_ALL, '\uFFFD'))] ??= problem;
			else unstorableFields(item, at(key), found, depth + 1);
		}
	}
	return found;
}
