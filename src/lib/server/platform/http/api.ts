import { json, type RequestEvent, type RequestHandler } from '@sveltejs/kit';
import { z } from 'zod';
import { AppError, appErrorOf, fieldErrorsOf, invalid, statusOf, unauthenticated, type ErrorCode, type FieldErrors } from '../errors.ts';
import { unstorableFields } from '../text.ts';
import { listOf } from '../zod-messages.ts';
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

/** application/json, or a structured +json type such as application/merge-patch+json. */
const isJsonType = (mediaType: string) => mediaType === 'application/json' || /^application\/[\w.-]+\+json$/.test(mediaType);

/** A request's JSON body, or undefined when it has none. Any other media type is refused with 415, before parsing. */
async function readBody(request: Request): Promise<unknown> {
	const text = await readBodyText(request);
	if (!text) return undefined;
	const mediaType = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase().slice(0, 100);
	if (!isJsonType(mediaType)) {
		const sent = mediaType ? `, not ${mediaType}` : ' (none was given)';
		throw new AppError('unsupported_media_type', `Send the body as JSON with "Content-Type: application/json"${sent}.`, {
			_: `Expected Content-Type application/json${sent}.`
		});
	}
	try {
		return JSON.parse(text);
	} catch {
		throw new AppError('invalid_input', 'The body is not valid JSON.', { _: 'The body is not valid JSON.' });
	}
}

type Part = 'params' | 'query' | 'body';
const PART_NAMES: Record<Part, string> = { params: 'the path', query: 'the query', body: 'the body' };

/** The part of a JSON Schema that `unknownFields` reads. */
interface JsonShape {
	type?: unknown;
	properties?: Record<string, JsonShape>;
	additionalProperties?: unknown;
	patternProperties?: unknown;
	propertyNames?: unknown;
	items?: unknown;
}

const NO_FIELDS: JsonShape = { type: 'object', properties: {} };
const inputShapes = new WeakMap<z.ZodType, JsonShape | null>();

/** The JSON Schema of what a zod schema takes, computed once per schema; null when it cannot be described. */
function inputShapeOf(schema: z.ZodType | undefined): JsonShape | null {
	if (!schema) return NO_FIELDS;
	if (!inputShapes.has(schema)) {
		try {
			inputShapes.set(schema, z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonShape);
		} catch {
			inputShapes.set(schema, null);
		}
	}
	return inputShapes.get(schema) ?? null;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === 'object' && !Array.isArray(value);
const shortKey = (key: string) => (key.length > 60 ? `${key.slice(0, 60)}…` : key);

/**
 * The fields of a request part that its operation does not take, by dotted path, down through nested objects
 * and lists (issue 11). An object the schema leaves open (a record, a loose object) takes any key. The API is
 * strict where the commands behind it are not: a form posts extra fields (intent, confirmed, next) that its
 * command ignores, but a typo in an API field ("impakt") must not pass for an empty one.
 */
function unknownFields(shape: JsonShape | null, value: unknown, path: string, where: string, found: FieldErrors = {}, depth = 0): FieldErrors {
	if (!shape || depth > 20) return found;
	const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
	if (Array.isArray(value) && shape.type === 'array' && shape.items && typeof shape.items === 'object') {
		value.forEach((item, i) => unknownFields(shape.items as JsonShape, item, at(i), `each item of ${path || where}`, found, depth + 1));
	} else if (isPlainObject(value) && shape.type === 'object' && shape.properties) {
		const open = (shape.additionalProperties !== undefined && shape.additionalProperties !== false) || shape.patternProperties || shape.propertyNames;
		const known = Object.keys(shape.properties);
		for (const [key, item] of Object.entries(value)) {
			if (Object.hasOwn(shape.properties, key)) unknownFields(shape.properties[key], item, at(key), at(key), found, depth + 1);
			else if (!open && Object.keys(found).length < 20)
				found[at(shortKey(key))] = known.length ? `Unknown field; ${where} takes ${listOf(known, 'and')}.` : `Unknown field; ${where} takes no fields.`;
		}
	}
	return found;
}

function parsePart<T extends z.ZodType | undefined>(schema: T, value: unknown, part: Part) {
	const prefix = part === 'body' ? '' : part;
	// NUL and lone surrogates are refused by name wherever the schema did not say so itself (decision 0013).
	const unstorable = unstorableFields(value, prefix);
	if (Object.keys(unstorable).length) throw invalid(unstorable);
	const shape = inputShapeOf(schema);
	if (part === 'body' && shape?.type === 'object' && !isPlainObject(value)) {
		const known = Object.keys(shape.properties ?? {});
		throw invalid({
			_: known.length ? `The body must be a JSON object with the fields ${listOf(known, 'and')}.` : 'This operation takes no body (or an empty JSON object).'
		});
	}
	// The path's params are the route's own; the query and the body may hold anything a client sent.
	const unknown = part === 'params' ? {} : unknownFields(shape, value, prefix, PART_NAMES[part]);
	const result = schema ? schema.safeParse(value) : ({ success: true, data: undefined } as const);
	if (result.success && !Object.keys(unknown).length) return result.data;
	const fields = result.success ? {} : fieldErrorsOf(result.error);
	throw invalid({ ...unknown, ...(prefix ? Object.fromEntries(Object.entries(fields).map(([k, v]) => [`${prefix}.${k}`, v])) : fields) });
}

const GENERIC_INVALID = invalid({}).message;

/** An error's message for the API: a generic "some fields" names the fields and what each needs instead. */
function apiMessageOf(error: AppError): string {
	const entries = Object.entries(error.fields);
	if (error.code !== 'invalid_input' || error.message !== GENERIC_INVALID || !entries.length) return error.message;
	const named = entries.slice(0, 3).map(([field, message]) => (field === '_' ? message : `${field}: ${message}`));
	if (entries.length > 3) named.push(`(${entries.length - 3} more in fields.)`);
	return named.join(' ');
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
			const params = op.params ? parsePart(op.params, event.params, 'params') : undefined;
			const query = parsePart(op.query, Object.fromEntries(event.url.searchParams), 'query');
			// An operation without a body takes none, or an empty object: anything in it would be ignored.
			const sent = op.method === 'GET' ? undefined : await readBody(event.request);
			const body = op.body ? parsePart(op.body, sent ?? {}, 'body') : sent === undefined ? undefined : parsePart(undefined, sent, 'body');
			const ctx = await ctxOf(event);
			const result = await implementation({ params, query, body } as OperationInput<P, Q, B>, ctx, event);
			if (op.status === 204) return new Response(null, { status: 204 });
			return json(result, { status: op.status ?? 200 });
		} catch (error) {
			const known = appErrorOf(error);
			if (known) return errorResponse(known.code, apiMessageOf(known), known.fields);
			event.locals.log.error({ err: error }, 'API operation failed');
			return errorResponse('internal', `Something went wrong on our side (request ${event.locals.requestId}).`);
		}
	};
}
