import { json } from '@sveltejs/kit';
import { operations } from '#lib/server/modules.ts';
import { openApiDocument } from '#lib/server/platform/http/openapi.ts';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ url }) => json(openApiDocument(operations, { title: 'Caucus API', version: '1', serverUrl: `${url.origin}/api/v1` }));
