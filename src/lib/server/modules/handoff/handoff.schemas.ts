import { z } from 'zod';
import { oneLineText, storable, userText } from '#lib/server/platform/text.ts';
import { HANDOFF_KINDS, SANDBOX_STATES, TRACKER_PROVIDERS } from './handoff.tables.ts';

/** Input schemas, one per operation. Forms send strings; the API may send the same shapes. */

export const TITLE_MAX = 250;
/** GitHub refuses bodies over 65,536 characters; every provider gets the same bound. */
export const BODY_MAX = 60_000;
const FIELD_MAX = 1_000;

const id = (label: string) =>
	z.coerce
		.number({ error: `Choose a ${label}.` })
		.int(`Choose a ${label}.`)
		.positive(`Choose a ${label}.`)
		.max(Number.MAX_SAFE_INTEGER, `Choose a ${label}.`);

/** A checkbox or a JSON boolean; the string "false" means false (z.coerce.boolean would say true). */
const flag = z
	.union([z.boolean(), z.enum(['on', 'true', 'false', '1', '0', ''])], { error: 'Must be true or false.' })
	.transform((v) => v === true || v === 'on' || v === 'true' || v === '1');

/** Text of any shape (a body in Markdown): NUL refused, bidi controls kept (decision 0013). */
const text = (label: string, max: number) => userText({ field: label, max, tooLong: `${label} must be at most ${max.toLocaleString('en-US')} characters.` });
/** A name, a title, an address: bidi controls stripped as well. */
const line = (label: string, max: number) => oneLineText({ field: label, max, tooLong: `${label} must be at most ${max.toLocaleString('en-US')} characters.` });
/** A setting or a field sent to the tracker as given, but never NUL (jsonb cannot hold it). */
const raw = () => storable(z.string());

function isHttpUrl(v: string): boolean {
	try {
		return ['http:', 'https:'].includes(new URL(v).protocol);
	} catch {
		return false;
	}
}

const httpUrl = (label: string) => line(label, 500).min(1, `${label} is required.`).refine(isHttpUrl, `${label} must be an http or https URL.`);

export const trackerInput = z.object({
	name: line('Name', 80).min(2, 'Give the tracker a name of at least 2 characters.'),
	provider: z.enum(TRACKER_PROVIDERS, { error: 'Choose a provider.' }),
	/** Required for every provider but the sandbox, which lives inside Caucus (checked by createTracker and updateTracker). */
	baseUrl: line('Base URL', 500)
		.refine((v) => v === '' || isHttpUrl(v), 'Base URL must be an http or https URL.')
		.default(''),
	project: line('Project', 200).min(1, 'Project is required.'),
	/** Provider settings, by the provider's settingFields names. */
	settings: z.record(raw(), raw().max(FIELD_MAX, `Settings must be at most ${FIELD_MAX} characters each.`)).default({}),
	/** New credentials by field name; a blank or missing field keeps what is stored. */
	credentials: z.record(raw(), raw().max(4_000, 'A credential must be at most 4,000 characters.')).default({}),
	clearCredentials: flag.default(false),
	/** A new webhook secret; blank keeps what is stored. */
	webhookSecret: raw()
		.trim()
		.max(200, 'The webhook secret must be at most 200 characters.')
		.refine((v) => v === '' || v.length >= 16, 'Use a webhook secret of at least 16 characters (a long random string).')
		.default(''),
	clearWebhookSecret: flag.default(false)
});
export type TrackerInput = z.input<typeof trackerInput>;

export const trackerEnabledInput = z.object({ enabled: flag });
export type TrackerEnabledInput = z.input<typeof trackerEnabledInput>;

export const draftInput = z.object({
	trackerId: id('tracker'),
	kind: z.enum(HANDOFF_KINDS, { error: `Choose a kind: ${HANDOFF_KINDS.join(', ')}.` })
});
export type DraftInput = z.input<typeof draftInput>;

export const createHandoffInput = z.object({
	trackerId: id('tracker'),
	kind: z.enum(HANDOFF_KINDS, { error: `Choose a kind: ${HANDOFF_KINDS.join(', ')}.` }),
	title: line('Title', TITLE_MAX).min(3, 'Give the item a title of at least 3 characters.'),
	body: text('Body', BODY_MAX).min(1, 'The body is empty; say what the developers should know.'),
	fields: z.record(raw().max(60), raw().max(FIELD_MAX, `A field must be at most ${FIELD_MAX} characters.`)).default({})
});
export type CreateHandoffInput = z.input<typeof createHandoffInput>;

export const linkHandoffInput = z.object({
	trackerId: id('tracker'),
	kind: z.enum(HANDOFF_KINDS, { error: `Choose a kind: ${HANDOFF_KINDS.join(', ')}.` }),
	url: httpUrl('URL')
});
export type LinkHandoffInput = z.input<typeof linkHandoffInput>;

export const syncInput = z.object({
	trackerId: id('tracker').optional(),
	/** Sync every open handoff now, not only those not synced lately. */
	all: flag.default(false)
});

/** Whoever plays the developers moves a sandbox issue: a new state, the release it targets or was fixed in, a note. */
export const sandboxMoveInput = z.object({
	state: z.enum(SANDBOX_STATES, { error: 'Choose what happens to the issue.' }),
	milestone: line('Release', 40)
		.optional()
		.nullable()
		.transform((v) => v || null),
	note: text('Note', 2_000).default('')
});
export type SandboxMoveInput = z.input<typeof sandboxMoveInput>;
