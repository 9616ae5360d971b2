import { json, type RequestEvent, type RequestHandler } from '@sveltejs/kit';
import { z } from 'zod';
import { AppError, appErrorOf, fieldErrorsOf, invalid, statusOf, unauthenticated, type ErrorCode, type FieldErrors } from '../errors.ts';
import { unstorableFields } from '../text.ts';
import type { Ctx } from '../context.ts';
import { ctxOf } from './context.ts';

const MAX_BODY_BYTES = 256 * 1024;

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * One JSON API operation: its route, its input schemas and its response schema. The same object
 * validates requests at run time and describes the operation in the OpenAPI document.
 */
export interface Operation<P extends z.ZodType = z.ZodType, Q extends z.ZodType = z.ZodType, B extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
	id: string;
	method: Method;
	/** OpenAPI path under /api/v1, with {name} parameters. */
	path: string;
	summary: string;
	tag: string;
	/** 'required': a bearer token or session must identify a member. */
	auth: 'public' | 'required';
	params?: P;
	query?: Q;
	body?: B;
	response: R;
	/** HTTP status of a success; 200 unless said. */
	status?: number;
}

export const defineOperation = <P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(op: Operation<P, Q, B, R>) => op;

type Input<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface OperationInput<P, Q, B> {
	params: Input<P>;
	query: Input<Q>;
	body: Input<B>;
}

export function errorResponse(code: ErrorCode | 'internal', message: string, fields: FieldErrors = {}, status = code === 'internal' ? 500 : statusOf(code)) {
	return json({ error: { code, message, fields } }, { status });
}

const tooLarge = (maxBytes: number) => new AppError('payload_too_large', `The body is larger than ${Math.round(maxBytes / 1024)} KiB.`);

/**
 * Reads a request's body up to `maxBytes`. A chunked body declares no length, so the bytes are counted as they
 * arrive and reading stops at the limit, instead of letting the adapter's own limit surface as a 500.
 */
export async function readBodyText(request: Request, maxBytes = MAX_BODY_BYTES): Promise<string> {
	const length = Number(request.headers.get('content-length') ?? 0);
	if (length > maxBytes) throw tooLarge(maxBytes);
	if (!request.body) return '';
	const chunks: Uint8Array[] = [];
	let received = 0;
	const reader = request.body.getReader();
	try {
		for (;;) {
			const { done, value } = await reader.read();
			if (done) break;
			received += value.byteLength;
			if (received > maxBytes) {
				await reader.cancel().catch(() => {});
				throw tooLarge(maxBytes);
			}
			chunks.push(value);
		}
	} catch (error) {
		if (error instanceof AppError) throw error;
		// The adapter's own body limit (BODY_SIZE_LIMIT) errors the stream with a 413 of its own.
		if ((error as { status?: number }).status === 413) throw tooLarge(maxBytes);
		throw error;
	}
	return Buffer.concat(chunks).toString('utf8');
}

async function readBody(request: Request): Promise<unknown> {
	const text = await readBodyText(request);
	if (!text) return {};
	const type = request.headers.get('content-type') ?? '';
	if (!type.includes('json'))
		throw new AppError('invalid_input', 'Send the body as JSON with Content-Type: application/json.', { _: 'Expected application/json.' });
	try {
		return JSON.parse(text);
	} catch {
		throw new AppError('invalid_input', 'The body is not valid JSON.', { _: 'The body is not valid JSON.' });
	}
}

function parsePart<T extends z.ZodType | undefined>(schema: T, value: unknown, prefix: string) {
	if (!schema) return undefined;
	// NUL and lone surrogates are refused by name wherever the schema did not say so itself (decision 0013).
	const unstorable = unstorableFields(value, prefix);
	if (Object.keys(unstorable).length) throw invalid(unstorable);
	const result = schema.safeParse(value);
	if (result.success) return result.data;
	const fields = fieldErrorsOf(result.error);
	throw new AppError(
		'invalid_input',
		'Some fields need another look.',
		prefix ? Object.fromEntries(Object.entries(fields).map(([k, v]) => [`${prefix}.${k}`, v])) : fields
	);
}

/** Turns an operation and its implementation into a SvelteKit request handler with the API's one error shape. */
export function endpoint<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType, R extends z.ZodType>(
	op: Operation<P, Q, B, R>,
	implementation: (input: OperationInput<P, Q, B>, ctx: Ctx, event: RequestEvent) => Promise<z.input<R>>
): RequestHandler {
	return async (event) => {
		try {
			if (op.auth === 'required' && !event.locals.actor) {
				throw unauthenticated('Send a personal API token as "Authorization: Bearer <token>", or sign in.');
			}
			const params = parsePart(op.params, event.params, 'params');
			const query = parsePart(op.query, Object.fromEntries(event.url.searchParams), 'query');
			const body = op.body ? parsePart(op.body, await readBody(event.request), '') : undefined;
			const ctx = await ctxOf(event);
			const result = await implementation({ params, query, body } as OperationInput<P, Q, B>, ctx, event);
			if (op.status === 204) return new Response(null, { status: 204 });
			return json(result, { status: op.status ?? 200 });
		} catch (error) {
			const known = appErrorOf(error);
			if (known) return errorResponse(known.code, known.message, known.fields);
			event.locals.log.error({ err: error }, 'API operation failed');
			return errorResponse('internal', `Something went wrong on our side (request ${event.locals.requestId}).`);
		}
	};
}
