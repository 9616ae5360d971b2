import { availableProviders, listTrackersForAdmin, setTrackerEnabled } from '#lib/server/modules/handoff/index.ts';
import { config } from '#lib/server/platform/config.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import { parseId } from '#lib/ids.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	return { trackers: await listTrackersForAdmin(ctx), providers: availableProviders(), origin: config().origin ?? event.url.origin };
};

export const actions: Actions = {
	enable: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData());
		const id = parseId(values.id) ?? 0;
		return runForm(values, async () => {
			const t = await setTrackerEnabled(ctx, id, { enabled: values.enabled === 'true' });
			return { done: `${t.name} is ${t.enabled ? 'enabled' : 'disabled'}.` };
		});
	}
};
