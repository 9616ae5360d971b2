import type { TrackerInput } from '#lib/server/modules/handoff/index.ts';
import { untrusted } from '#lib/server/platform/errors.ts';

/** A tracker form's values as the handoff module's tracker input, which the command checks. */
export function trackerFormInput(values: Record<string, unknown>): TrackerInput {
	const pick = (prefix: string) =>
		Object.fromEntries(
			Object.entries(values)
				.filter(([k]) => k.startsWith(prefix))
				.map(([k, v]) => [k.slice(prefix.length), typeof v === 'string' ? v : ''])
		);
	return untrusted({
		name: values.name,
		provider: values.provider,
		baseUrl: values.baseUrl,
		project: values.project,
		settings: pick('setting.'),
		credentials: pick('credential.'),
		webhookSecret: values.webhookSecret ?? '',
		clearCredentials: values.clearCredentials ?? false,
		clearWebhookSecret: values.clearWebhookSecret ?? false
	});
}

export const DEFAULT_BASE_URLS: Record<string, string> = {
	github: 'https://api.github.com',
	gitlab: 'https://gitlab.com/api/v4'
};

/** What a refused form may send back: never a credential or the webhook secret, whatever the provider names them. */
export const withoutCredentials = (values: Record<string, unknown>) =>
	Object.fromEntries(Object.entries(values).filter(([k]) => !k.startsWith('credential.') && k !== 'webhookSecret'));
