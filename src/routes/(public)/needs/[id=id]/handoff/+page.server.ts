import { error, redirect, type RequestEvent } from '@sveltejs/kit';
import { createHandoff, draftHandoff, getHandoffPage, linkHandoff, syncNeed, describeChange, type DraftResult } from '#lib/server/modules/handoff/index.ts';
import { AppError, statusOf, untrusted } from '#lib/server/platform/errors.ts';
import { config } from '#lib/server/platform/config.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formAction, formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { publishNeed } from '#lib/server/modules/needs/index.ts';
import { renderMarkdown } from '#lib/server/platform/markdown.ts';
import type { Actions, PageServerLoad } from './$types';

/*
 * Hand a need upstream, without JavaScript: choose a tracker and kind (a GET form, so the draft has an
 * address), edit the draft with a rendered preview, then create it; or link an existing item by URL.
 */

const MARKDOWN_PROVIDERS = new Set(['github', 'gitlab', 'sandbox']);

async function page(event: Pick<RequestEvent, 'locals' | 'url'> & { params: { id: number } }) {
	if (!event.locals.actor) redirect(303, `/signin?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
	const ctx = await ctxOf(event);
	try {
		return { ctx, id: event.params.id, data: await getHandoffPage(ctx, event.params.id) };
	} catch (e) {
		if (e instanceof AppError) error(statusOf(e.code), e.message);
		throw e;
	}
}

export const load: PageServerLoad = async (event) => {
	const { ctx, id, data } = await page(event);
	event.setHeaders({ 'cache-control': 'private, no-store' });
	const trackerId = event.url.searchParams.get('tracker');
	const kind = event.url.searchParams.get('kind');
	let draft: (Omit<DraftResult, 'evidence'> & { markdown: boolean }) | null = null;
	let draftError: { message: string; fields: Record<string, string> } | null = null;
	if (trackerId && kind && data.handable) {
		try {
			const result = await draftHandoff(ctx, id, untrusted({ trackerId, kind }), { siteUrl: config().origin ?? event.url.origin });
			draft = { tracker: result.tracker, draft: result.draft, markdown: MARKDOWN_PROVIDERS.has(result.tracker.provider) };
		} catch (e) {
			if (!(e instanceof AppError)) throw e;
			draftError = { message: e.message, fields: e.fields };
		}
	}
	return { ...data, chosen: { trackerId: trackerId ?? '', kind: kind ?? '' }, draft, draftError, synced: event.url.searchParams.get('synced') };
};

/** The draft form's fields: `field.<name>` inputs become the draft's `fields`. */
function draftValues(values: Record<string, unknown>) {
	const fields = Object.fromEntries(
		Object.entries(values)
			.filter(([k]) => k.startsWith('field.'))
			.map(([k, v]) => [k.slice(6), typeof v === 'string' ? v : ''])
	);
	return { trackerId: values.trackerId, kind: values.kind, title: values.title, body: values.body, fields };
}

export const actions: Actions = {
	preview: async (event) => {
		await page(event);
		const values = formValues(await event.request.formData());
		const body = typeof values.body === 'string' ? values.body : '';
		return { preview: { title: typeof values.title === 'string' ? values.title : '', bodyHtml: renderMarkdown(body) }, values, intent: 'draft' };
	},
	create: async (event) => {
		const { ctx, id } = await page(event);
		const values = formValues(await event.request.formData());
		return runForm({ ...values, intent: 'draft' }, async () => {
			await createHandoff(ctx, id, untrusted(draftValues(values)));
			redirect(303, `/needs/${id}?handed=1#upstream`);
		});
	},
	link: async (event) => {
		const { ctx, id } = await page(event);
		const values = formValues(await event.request.formData());
		return runForm({ ...values, intent: 'link' }, async () => {
			await linkHandoff(ctx, id, untrusted(values));
			redirect(303, `/needs/${id}?handed=1#upstream`);
		});
	},
	/** Publishing from here, so the draft's link back works for the developers; the command asks the same policy as triage. */
	publish: formAction<{ id: number }>(async (ctx, { id }) => {
		await publishNeed(ctx, id);
		return 'The need is published: the link back in the draft now opens for everyone.';
	}),
	sync: async (event) => {
		const { ctx, id } = await page(event);
		const result = await runForm({ intent: 'sync' }, async () => (await syncNeed(ctx, id)).map(describeChange));
		if (Array.isArray(result)) return { synced: result.length ? result : ['Nothing changed upstream since the last sync.'], intent: 'sync' };
		return result;
	}
};
