import { recordActivity } from '#lib/server/platform/activity.ts';
import { decryptJson, decryptSecret, encryptJson, encryptSecret } from '#lib/server/platform/auth/encryption.ts';
import { inTransaction, type Ctx } from '#lib/server/platform/context.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { jsonb } from '#lib/server/platform/db/sql.ts';
import { conflict, forbidden, invalid, isUniqueViolation, notFound, parseInput, unauthenticated } from '#lib/server/platform/errors.ts';
import { leadsSomeGroup } from '#lib/server/modules/groups/index.ts';
import { mayAdministerTrackers, mayListTrackers } from './handoff.policy.ts';
import { trackerEnabledInput, trackerInput, type TrackerEnabledInput, type TrackerInput } from './handoff.schemas.ts';
import type { HandoffKind, TrackerProvider, TrackerRow } from './handoff.tables.ts';
import { PROVIDERS } from './providers/index.ts';
import { TrackerError, type TrackerConnection, type TrackerProviderImpl } from './providers/provider.ts';
import { checkOutgoingUrl, OutgoingAddressError } from '#lib/server/platform/http/outgoing.ts';

/*
 * Trackers, configured by site administrators. Credentials and webhook secrets are encrypted with the
 * site key before they are written and are never returned by anything here except `trackerConnection`,
 * which the handoff and sync code use server-side: pages and the API only learn whether each is set.
 */

export interface TrackerView {
	id: number;
	name: string;
	provider: TrackerProvider;
	providerLabel: string;
	baseUrl: string;
	project: string;
	kinds: readonly HandoffKind[];
	enabled: boolean;
	/** A sandbox: a practice tracker inside Caucus, never the developers' real one (decision 0020). */
	sandbox: boolean;
}

export interface TrackerAdminView extends TrackerView {
	settings: Record<string, string>;
	/** For each of the provider's credential fields: is a value stored? Never the value. */
	credentialsSet: Record<string, boolean>;
	webhookSecretSet: boolean;
	/** Path of the webhook endpoint to configure upstream (prefix the site's origin). */
	webhookPath: string;
	supportsWebhooks: boolean;
	/** Set when the stored credentials cannot be read with the current site key. */
	problem: string | null;
	createdAt: Date;
	updatedAt: Date;
}

export const providerOf = (provider: string): TrackerProviderImpl | undefined => PROVIDERS[provider as TrackerProvider];

export const availableProviders = () =>
	Object.values(PROVIDERS).map((p) => ({
		provider: p.provider,
		label: p.label,
		kinds: p.kinds,
		credentialFields: p.credentialFields,
		settingFields: p.settingFields,
		webhooks: !!p.webhook,
		local: !!p.local
	}));

export const webhookPath = (trackerId: number) => `/api/v1/trackers/${trackerId}/webhook`;

function view(row: TrackerRow): TrackerView {
	const impl = providerOf(row.provider);
	return {
		id: Number(row.id),
		name: row.name,
		provider: row.provider,
		providerLabel: impl?.label ?? row.provider,
		baseUrl: row.base_url,
		project: row.project,
		kinds: impl?.kinds ?? [],
		enabled: row.disabled_at === null,
		sandbox: !!impl?.local
	};
}

function adminView(row: TrackerRow): TrackerAdminView {
	const impl = providerOf(row.provider);
	let stored: Record<string, string> = {};
	let problem: string | null = null;
	try {
		stored = row.credentials_encrypted ? decryptJson<Record<string, string>>(row.credentials_encrypted) : {};
	} catch {
		problem = 'The stored credentials cannot be read with this site’s key (was CAUCUS_SECRET_KEY changed?). Enter them again.';
	}
	const settings = Object.fromEntries(Object.entries(row.settings ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
	return {
		...view(row),
		settings,
		credentialsSet: Object.fromEntries((impl?.credentialFields ?? []).map((f) => [f.name, !!stored[f.name]])),
		webhookSecretSet: row.webhook_secret_encrypted !== null,
		webhookPath: webhookPath(Number(row.id)),
		supportsWebhooks: !!impl?.webhook,
		problem,
		createdAt: row.created_at,
		updatedAt: row.updated_at
	};
}

function requireAdmin(ctx: Ctx) {
	if (!ctx.actor) throw unauthenticated();
	if (!mayAdministerTrackers(ctx.actor)) throw forbidden('Only site administrators configure trackers.');
	return ctx.actor;
}

export async function listTrackersForAdmin(ctx: Ctx): Promise<TrackerAdminView[]> {
	requireAdmin(ctx);
	const rows = await ctx.db.selectFrom('tracker').selectAll().orderBy('name').execute();
	return rows.map(adminView);
}

export async function getTrackerForAdmin(ctx: Ctx, id: number): Promise<TrackerAdminView> {
	requireAdmin(ctx);
	return adminView(await trackerRow(ctx.db, id));
}

/** Enabled trackers whose provider is available, for those who hand needs upstream (admins and group leads). */
export async function listTrackerChoices(ctx: Ctx): Promise<TrackerView[]> {
	if (!ctx.actor) throw unauthenticated();
	const leads = ctx.actor.isAdmin || (await leadsSomeGroup(ctx.db, ctx.actor));
	if (!mayListTrackers(ctx.actor, leads)) throw forbidden('Only group chairs and moderators hand needs upstream.');
	const rows = await ctx.db.selectFrom('tracker').selectAll().where('disabled_at', 'is', null).orderBy('name').execute();
	return rows.filter((r) => providerOf(r.provider)).map(view);
}

export async function trackerRow(db: Executor, id: number): Promise<TrackerRow> {
	if (!Number.isSafeInteger(id) || id <= 0) throw notFound('The tracker');
	const row = await db.selectFrom('tracker').selectAll().where('id', '=', id).executeTakeFirst();
	if (!row) throw notFound('The tracker');
	return row;
}

/** The tracker as its provider needs it, credentials decrypted: server-side only. */
export function trackerConnection(row: TrackerRow): TrackerConnection {
	let credentials: Record<string, string> | null;
	let webhookSecret: string | null;
	try {
		credentials = row.credentials_encrypted ? decryptJson<Record<string, string>>(row.credentials_encrypted) : null;
		webhookSecret = row.webhook_secret_encrypted ? decryptSecret(row.webhook_secret_encrypted) : null;
	} catch (error) {
		throw new TrackerError(`The credentials of ${row.name} cannot be read with this site’s key; an administrator must enter them again.`, { cause: error });
	}
	return {
		id: Number(row.id),
		name: row.name,
		provider: row.provider,
		baseUrl: row.base_url,
		project: row.project,
		settings: row.settings ?? {},
		credentials,
		webhookSecret
	};
}

/** Settings that name an address Caucus calls (beyond the base URL), checked like it. */
const CALLED_SETTINGS = ['gerritUrl'];

async function checked(input: TrackerInput) {
	const data = parseInput(trackerInput, input);
	const impl = providerOf(data.provider);
	if (!impl) throw invalid({ provider: `The ${data.provider} provider is not available on this site yet.` });
	const settings = Object.fromEntries(impl.settingFields.map((f) => [f.name, (data.settings[f.name] ?? '').trim()]).filter(([, v]) => v !== ''));
	const credentials = Object.fromEntries(impl.credentialFields.map((f) => [f.name, (data.credentials[f.name] ?? '').trim()]).filter(([, v]) => v !== ''));
	// The sandbox lives inside Caucus: no address to call, nothing to check.
	if (impl.local) return { data: { ...data, baseUrl: '' }, impl, settings, credentials: {} };
	if (!data.baseUrl) throw invalid({ baseUrl: 'Base URL is required.' });
	// Refused when saved, not only when called: loopback, private, link-local and metadata addresses (after DNS).
	const fields: Record<string, string> = {};
	for (const [field, url] of [
		['baseUrl', data.baseUrl],
		...CALLED_SETTINGS.filter((name) => settings[name]).map((name) => [`settings.${name}`, settings[name]])
	]) {
		try {
			await checkOutgoingUrl(url);
		} catch (error) {
			if (!(error instanceof OutgoingAddressError)) throw error;
			fields[field] = error.message;
		}
	}
	if (Object.keys(fields).length) throw invalid(fields);
	return { data, impl, settings, credentials };
}

const nameTaken = () => conflict('Another tracker has that name.', { name: 'Another tracker has that name; choose another.' });

export async function createTracker(ctx: Ctx, input: TrackerInput): Promise<TrackerAdminView> {
	requireAdmin(ctx);
	const { data, settings, credentials } = await checked(input);
	// Encrypt before the transaction: a site without a key is refused before anything is written.
	const credentialsEncrypted = Object.keys(credentials).length ? encryptJson(credentials) : null;
	const secretEncrypted = data.webhookSecret ? encryptSecret(data.webhookSecret) : null;
	return inTransaction(ctx, async (tx) => {
		const now = tx.now();
		try {
			const row = await tx.db
				.insertInto('tracker')
				.values({
					name: data.name,
					provider: data.provider,
					base_url: data.baseUrl.replace(/\/$/, ''),
					project: data.project,
					settings: jsonb(settings),
					credentials_encrypted: credentialsEncrypted,
					webhook_secret_encrypted: secretEncrypted,
					created_at: now,
					updated_at: now,
					disabled_at: null
				})
				.returningAll()
				.executeTakeFirstOrThrow();
			await recordActivity(tx, {
				action: 'tracker.created',
				subjectType: 'tracker',
				subjectId: Number(row.id),
				data: { name: row.name, provider: row.provider, project: row.project, credentialsSet: !!credentialsEncrypted, webhookSecretSet: !!secretEncrypted }
			});
			return adminView(row);
		} catch (error) {
			if (isUniqueViolation(error)) throw nameTaken();
			throw error;
		}
	});
}

/**
 * Changes a tracker. Blank credential fields keep what is stored (the form never shows it); filled ones
 * replace those fields; `clearCredentials` and `clearWebhookSecret` remove them. The provider stays.
 */
export async function updateTracker(ctx: Ctx, id: number, input: TrackerInput): Promise<TrackerAdminView> {
	requireAdmin(ctx);
	const { data, settings, credentials } = await checked(input);
	return inTransaction(ctx, async (tx) => {
		const row = await tx.db.selectFrom('tracker').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
		if (!row) throw notFound('The tracker');
		if (row.provider !== data.provider) throw invalid({ provider: 'A tracker keeps its provider; add a new tracker for another one.' });
		let stored: Record<string, string> = {};
		if (row.credentials_encrypted && !data.clearCredentials) {
			try {
				stored = decryptJson<Record<string, string>>(row.credentials_encrypted);
			} catch {
				stored = {};
			}
		}
		const merged = data.clearCredentials ? credentials : { ...stored, ...credentials };
		const credentialsChanged = data.clearCredentials || Object.keys(credentials).length > 0;
		const secretChanged = data.clearWebhookSecret || data.webhookSecret !== '';
		try {
			const updated = await tx.db
				.updateTable('tracker')
				.set({
					name: data.name,
					base_url: data.baseUrl.replace(/\/$/, ''),
					project: data.project,
					settings: jsonb(settings),
					...(credentialsChanged ? { credentials_encrypted: Object.keys(merged).length ? encryptJson(merged) : null } : {}),
					...(secretChanged ? { webhook_secret_encrypted: data.webhookSecret ? encryptSecret(data.webhookSecret) : null } : {}),
					updated_at: tx.now()
				})
				.where('id', '=', id)
				.returningAll()
				.executeTakeFirstOrThrow();
			await recordActivity(tx, {
				action: 'tracker.updated',
				subjectType: 'tracker',
				subjectId: id,
				data: { name: updated.name, project: updated.project, credentialsChanged, webhookSecretChanged: secretChanged }
			});
			return adminView(updated);
		} catch (error) {
			if (isUniqueViolation(error)) throw nameTaken();
			throw error;
		}
	});
}

/** Disables (no new handoffs, no sync) or enables a tracker; its handoffs stay. */
export async function setTrackerEnabled(ctx: Ctx, id: number, input: TrackerEnabledInput): Promise<TrackerAdminView> {
	requireAdmin(ctx);
	const { enabled } = parseInput(trackerEnabledInput, input);
	return inTransaction(ctx, async (tx) => {
		await trackerRow(tx.db, id);
		const updated = await tx.db
			.updateTable('tracker')
			.set({ disabled_at: enabled ? null : tx.now(), updated_at: tx.now() })
			.where('id', '=', id)
			.returningAll()
			.executeTakeFirstOrThrow();
		await recordActivity(tx, { action: enabled ? 'tracker.enabled' : 'tracker.disabled', subjectType: 'tracker', subjectId: id, data: { name: updated.name } });
		return adminView(updated);
	});
}
