import { error, redirect } from '@sveltejs/kit';
import { availableProviders, createTracker } from '#lib/server/modules/handoff/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { DEFAULT_BASE_URLS, trackerFormInput, withoutCredentials } from '../form.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const name = event.url.searchParams.get('provider') ?? '';
	const provider = availableProviders().find((p) => p.provider === name);
	if (!provider) error(404, 'Choose a provider from the trackers page.');
	return { provider, defaults: { baseUrl: DEFAULT_BASE_URLS[provider.provider] ?? '' } };
};

export const actions: Actions = {
	default: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		// redirect() throws, and runForm passes on anything that is not an expected error.
		return runForm(withoutCredentials(values), async () => {
			const tracker = await createTracker(ctx, trackerFormInput(values));
			redirect(303, `/admin/trackers/${tracker.id}?created=1`);
		});
	}
};
