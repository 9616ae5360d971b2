import type { z } from 'zod';
// Installs the shared wording of zod issues that their schemas leave unworded, for every door that parses input.
import './zod-messages.ts';

/** Stable error codes; each maps to one HTTP status in `statusOf`. */
export type ErrorCode =
	| 'invalid_input'
	| 'unauthenticated'
	| 'forbidden'
	| 'not_found'
	| 'method_not_allowed'
	| 'conflict'
	| 'payload_too_large'
	| 'unsupported_media_type'
	| 'rate_limited';

export type FieldErrors = Record<string, string>;

export class AppError extends Error {
	readonly code: ErrorCode;
	readonly fields: FieldErrors;
	constructor(code: ErrorCode, message: string, fields: FieldErrors = {}) {
		super(message);
		this.name = 'AppError';
		this.code = code;
		this.fields = fields;
	}
}

export const invalid = (fields: FieldErrors, message = 'Some fields need another look.') => new AppError('invalid_input', message, fields);
export const unauthenticated = (message = 'Sign in first.') => new AppError('unauthenticated', message);
export const forbidden = (message = 'You may not do that.') => new AppError('forbidden', message);
export const notFound = (what: string) => new AppError('not_found', `${what} was not found.`);
export const conflict = (message: string, fields: FieldErrors = {}) => new AppError('conflict', message, fields);
export const rateLimited = (message: string) => new AppError('rate_limited', message);

const statuses: Record<ErrorCode, number> = {
	invalid_input: 400,
	unauthenticated: 401,
	forbidden: 403,
	not_found: 404,
	method_not_allowed: 405,
	conflict: 409,
	payload_too_large: 413,
	unsupported_media_type: 415,
	rate_limited: 429
};

export const statusOf = (code: ErrorCode) => statuses[code];

/** Every error code, for the OpenAPI document. */
export const ERROR_CODES = Object.keys(statuses) as ErrorCode[];

/** Turns zod issues into one message per field, keyed by the dotted path the form or payload used. */
export function fieldErrorsOf(error: z.ZodError): FieldErrors {
	const fields: FieldErrors = {};
	for (const issue of error.issues) {
		const key = issue.path.length ? issue.path.join('.') : '_';
		fields[key] ??= issue.message;
	}
	return fields;
}

/** Validates input against an operation's schema, throwing `invalid_input` with field messages. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
	const result = schema.safeParse(input);
	if (!result.success) throw invalid(fieldErrorsOf(result.error));
	return result.data;
}

/**
 * Input from a door that cannot type it (a form, a CLI argument list, a JSON body read by hand), handed to a
 * command as that command's input type. Every command parses its input with its own schema, so nothing is
 * trusted by this; the input type is for callers that build input in code (seeds, tests, other modules),
 * which the compiler then checks (decision 0016).
 */
export const untrusted = <T>(values: unknown): T => values as T;

/** PostgreSQL's unique_violation, used where a unique constraint is the lock. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
	const e = error as { code?: string; constraint?: string; message?: string } | null;
	if (e?.code !== '23505') return false;
	return !constraint || e.constraint === constraint || (e.message ?? '').includes(constraint);
}

/**
 * PostgreSQL's refusals of text it cannot store: NUL in text (22021, invalid byte sequence), \u0000 in
 * jsonb (22P05), a lone surrogate in jsonb (22P02, invalid input syntax for type json). The input
 * schemas refuse these with a field error first (platform/text.ts, decision 0013); this is the net for a
 * door they missed, so the caller gets a 400 instead of a 500.
 */
export function isUnstorableTextError(error: unknown): boolean {
	const e = error as { code?: string; message?: string } | null;
	if (!e || typeof e !== 'object') return false;
	if (e.code === '22021' || e.code === '22P05') return true;
	return e.code === '22P02' && /\bjson\b/i.test(e.message ?? '');
}

/** The AppError a thrown error stands for: itself, `invalid_input` for unstorable text, or null for a real failure. */
export function appErrorOf(error: unknown): AppError | null {
	if (error instanceof AppError) return error;
	if (isUnstorableTextError(error))
		return invalid({ _: 'Remove the invisible or broken characters (such as NUL) from what you sent.' }, 'The text contains characters that cannot be stored.');
	return null;
}
