import { json } from '@sveltejs/kit';
import { sql } from 'kysely';
import { db } from '#lib/server/platform/runtime.ts';
import type { RequestHandler } from './$types';

/** Ready when the database answers; load balancers and the benchmark poll this. */
export const GET: RequestHandler = async ({ locals }) => {
	const started = performance.now();
	try {
		await sql`select 1`.execute(await db());
		return json({ status: 'ok', database: 'ok', ms: Math.round(performance.now() - started) }, { headers: { 'cache-control': 'no-store' } });
	} catch (error) {
		locals.log.error({ err: error }, 'health check failed');
		return json({ status: 'error', database: 'unreachable' }, { status: 503, headers: { 'cache-control': 'no-store' } });
	}
};
