import type { Db } from '#lib/server/platform/db/database.ts';
import { encryptJson, encryptSecret } from '#lib/server/platform/auth/encryption.ts';
import { jsonb } from '#lib/server/platform/db/sql.ts';
import type { HandoffKind, HandoffRow, HandoffStatus, TrackerProvider, TrackerRow } from './handoff.tables.ts';

let sequence = 0;

/** A tracker row straight in the table, credentials encrypted with the current site key. */
export async function buildTracker(
	db: Db,
	overrides: Partial<{
		name: string;
		provider: TrackerProvider;
		baseUrl: string;
		project: string;
		settings: Record<string, string>;
		token: string | null;
		webhookSecret: string | null;
		disabled: boolean;
	}> = {}
): Promise<TrackerRow> {
	sequence += 1;
	const now = new Date('2026-11-01T00:00:00Z');
	return db
		.insertInto('tracker')
		.values({
			name: overrides.name ?? `Tracker ${sequence}`,
			provider: overrides.provider ?? 'github',
			base_url: overrides.baseUrl ?? 'https://api.github.com',
			project: overrides.project ?? 'openstack/nova',
			settings: jsonb(overrides.settings ?? {}),
			credentials_encrypted: overrides.token === null ? null : encryptJson({ token: overrides.token ?? 'token' }),
			webhook_secret_encrypted: overrides.webhookSecret ? encryptSecret(overrides.webhookSecret) : null,
			created_at: now,
			updated_at: now,
			disabled_at: overrides.disabled ? now : null
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** A handoff row straight in the table (no need status change): for sync tests and the benchmark. */
export async function buildHandoff(
	db: Db,
	need: { id: number },
	tracker: { id: number },
	overrides: Partial<{
		key: string;
		url: string;
		kind: HandoffKind;
		state: string;
		status: HandoffStatus;
		deliveredIn: string | null;
		syncedAt: Date | null;
	}> = {}
): Promise<HandoffRow> {
	sequence += 1;
	const now = new Date('2026-11-01T00:00:00Z');
	const key = overrides.key ?? String(sequence);
	return db
		.insertInto('handoff')
		.values({
			need_id: need.id,
			tracker_id: tracker.id,
			kind: overrides.kind ?? 'feature',
			upstream_key: key,
			upstream_url: overrides.url ?? `https://github.com/openstack/nova/issues/${key}`,
			title: `Upstream item ${key}`,
			upstream_state: overrides.state ?? 'open',
			status: overrides.status ?? 'handed_upstream',
			delivered_in: overrides.deliveredIn ?? null,
			created_by: null,
			created_at: now,
			upstream_updated_at: now,
			synced_at: overrides.syncedAt ?? null,
			sync_error: null
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}
