import type { z } from 'zod';

/** Stable error codes; each maps to one HTTP status in `statusOf`. */
export type ErrorCode =
	| 'invalid_input'
	| 'unauthenticated'
	| 'forbidden'
	| 'not_found'
	| 'conflict'
	| 'rate_limited'
	| 'payload_too_large';

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

export const invalid = (fields: FieldErrors, message = 'Some fields need another look.') =>
	new AppError('invalid_input', message, fields);
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
	conflict: 409,
	payload_too_large: 413,
	rate_limited: 429
};

export const statusOf = (code: ErrorCode) => statuses[code];

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

/** PostgreSQL's unique_violation, used where a unique constraint is the lock. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
	const e = error as { code?: string; constraint?: string; message?: string } | null;
	if (e?.code !== '23505') return false;
	return !constraint || e.constraint === constraint || (e.message ?? '').includes(constraint);
}
