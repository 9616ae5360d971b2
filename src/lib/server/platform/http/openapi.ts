import { z } from 'zod';
import { ERROR_CODES } from '../errors.ts';
import type { Operation } from './api.ts';

const toSchema = (schema: z.ZodType, io: 'input' | 'output') =>
	z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query') {
	if (!schema) return [];
	const json = toSchema(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
	return Object.entries(json.properties ?? {}).map(([name, property]) => ({
		name,
		in: location,
		required: location === 'path' || (json.required ?? []).includes(name),
		description: property.description,
		schema: property
	}));
}

const errorSchema = {
	type: 'object',
	required: ['error'],
	properties: {
		error: {
			type: 'object',
			required: ['code', 'message', 'fields'],
			properties: {
				code: {
					type: 'string',
					enum: [...ERROR_CODES, 'internal']
				},
				message: { type: 'string' },
				fields: { type: 'object', additionalProperties: { type: 'string' }, description: 'One message per invalid field, keyed by its dotted path.' }
			}
		}
	}
};

/**
 * A request body's schema as the API applies it: an object takes only its own fields, at every level (issue 11).
 * Records and loose objects, which say what else they take, keep saying so.
 */
function strict(schema: unknown): unknown {
	if (Array.isArray(schema)) return schema.map(strict);
	if (!schema || typeof schema !== 'object') return schema;
	const copy: Record<string, unknown> = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, strict(value)]));
	if (copy.type === 'object' && copy.properties && copy.additionalProperties === undefined && !copy.patternProperties && !copy.propertyNames) {
		copy.additionalProperties = false;
	}
	return copy;
}

/** The OpenAPI 3.1 document, generated from the same operation objects that validate requests. */
export function openApiDocument(operations: readonly Operation[], info: { title: string; version: string; serverUrl: string }) {
	const paths: Record<string, Record<string, unknown>> = {};
	for (const op of operations) {
		const errorRef = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
		const responses: Record<string, unknown> = {
			[String(op.status ?? 200)]:
				op.status === 204
					? { description: 'Done.' }
					: { description: 'Success.', content: { 'application/json': { schema: toSchema(op.response, 'output') } } },
			'400': { description: 'Invalid input, or a field the operation does not take; `fields` names each problem.', ...errorRef }
		};
		if (op.auth === 'required') responses['401'] = { description: 'No valid token or session.', ...errorRef };
		responses['403'] = { description: 'Not allowed.', ...errorRef };
		responses['404'] = { description: 'Not found.', ...errorRef };
		if (op.method !== 'GET') responses['409'] = { description: 'Conflicts with the current state; `message` says how.', ...errorRef };
		if (op.method !== 'GET') {
			responses['413'] = { description: 'The body is larger than 256 KiB.', ...errorRef };
			responses['415'] = { description: 'The body is not sent as application/json.', ...errorRef };
		}
		paths[op.path] ??= {};
		paths[op.path][op.method.toLowerCase()] = {
			operationId: op.id,
			summary: op.summary,
			tags: [op.tag],
			security: op.auth === 'required' ? [{ bearer: [] }] : [{}, { bearer: [] }],
			parameters: [...parameters(op.params, 'path'), ...parameters(op.query, 'query')],
			...(op.body ? { requestBody: { required: true, content: { 'application/json': { schema: strict(toSchema(op.body, 'input')) } } } } : {}),
			responses
		};
	}
	return {
		openapi: '3.1.0',
		info: {
			title: info.title,
			version: info.version,
			description: 'The JSON API of Caucus. Authenticate with a personal API token: `Authorization: Bearer <token>`.'
		},
		servers: [{ url: info.serverUrl }],
		paths,
		components: {
			schemas: { Error: errorSchema },
			securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A personal API token, created under Settings → API tokens.' } }
		}
	};
}
