import { error } from '@sveltejs/kit';
import { availableProviders, getTrackerForAdmin, updateTracker } from '#lib/server/modules/handoff/index.ts';
import { AppError, statusOf } from '#lib/server/platform/errors.ts';
import { config } from '#lib/server/platform/config.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { trackerFormInput, withoutCredentials } from '../form.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	try {
		const tracker = await getTrackerForAdmin(ctx, event.params.id);
		const provider = availableProviders().find((p) => p.provider === tracker.provider);
		if (!provider) error(404, `The ${tracker.provider} provider is not available on this site.`);
		return { tracker, provider, origin: config().origin ?? event.url.origin, created: event.url.searchParams.get('created') === '1' };
	} catch (e) {
		if (e instanceof AppError) error(statusOf(e.code), e.message);
		throw e;
	}
};

export const actions: Actions = {
	default: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		return runForm(withoutCredentials(values), async () => {
			const t = await updateTracker(ctx, event.params.id, trackerFormInput(values));
			return { done: `${t.name} is saved.` };
		});
	}
};
