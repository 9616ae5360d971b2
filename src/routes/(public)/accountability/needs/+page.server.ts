import { error } from '@sveltejs/kit';
import { AppError } from '#lib/server/platform/errors.ts';
import { listAccountabilityNeeds } from '#lib/server/modules/champions/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const asked = Object.fromEntries([...event.url.searchParams].filter(([, v]) => v !== ''));
	try {
		const result = await listAccountabilityNeeds(ctx, asked);
		if (ctx.actor) event.setHeaders({ 'cache-control': 'private, no-store' });
		return { result, after: asked.after ?? null };
	} catch (e) {
		if (e instanceof AppError && e.code === 'invalid_input')
			error(
				400,
				`${e.message} ${Object.entries(e.fields)
					.map(([field, problem]) => `${field}: ${problem}`)
					.join(' ')}`
			);
		throw e;
	}
};
