import type { Db, Executor } from '#lib/server/platform/db/database.ts';
import { textArray } from '#lib/server/platform/db/sql.ts';
import type { NeedKind, NeedRow, NeedStatus, SourceChannel } from './needs.tables.ts';
import { recountSupport as recountFacts } from './needs.supports.ts';
import { insertNeed } from './needs.ids.ts';

let sequence = 0;
const FACTORY_TIME = new Date('2026-11-01T00:00:00Z');

export interface BuildNeedOverrides {
	title: string;
	body: string;
	kind: NeedKind;
	status: NeedStatus;
	statusReason: string | null;
	/** The need's group; a closed group's need starts unpublished unless `publishedAt` says otherwise. */
	group: { id: number; visibility?: 'open' | 'closed' } | null;
	publishedAt: Date | null;
	author: { id: number } | null;
	sourceChannel: SourceChannel;
	sourceUrl: string | null;
	sourceNote: string | null;
	tags: string[];
	releases: string[];
	/** Component slugs; missing components are created. */
	components: string[];
	duplicateOf: { id: number } | null;
	hiddenAt: Date | null;
	hiddenReason: string | null;
	lockedAt: Date | null;
	createdAt: Date;
	updatedAt: Date;
	/** Members who support it (no evidence); `support_count` is recomputed. */
	supporters: { id: number }[];
}

/**
 * A need row straight in the tables, for tests. Defaults: an open, published feature need with no group,
 * no author and no supporters. Supporters are inserted as support rows and the count is recomputed the
 * way the commands keep it (distinct members over the need and the needs merged into it).
 */
export async function buildNeed(db: Db, overrides: Partial<BuildNeedOverrides> = {}): Promise<NeedRow> {
	sequence += 1;
	const createdAt = overrides.createdAt ?? new Date(FACTORY_TIME.getTime() + sequence * 1000);
	const group = overrides.group ?? null;
	const closed = group?.visibility === 'closed';
	const publishedAt = overrides.publishedAt !== undefined ? overrides.publishedAt : closed ? null : createdAt;
	// As filing does: an unpublished need gets a random unlisted id.
	const need = await insertNeed(db, {
		title: overrides.title ?? `Need number ${sequence} about something that hurts`,
		body: overrides.body ?? '',
		kind: overrides.kind ?? 'feature',
		status: overrides.status ?? (overrides.duplicateOf ? 'duplicate' : 'new'),
		status_reason: overrides.statusReason ?? null,
		group_id: group?.id ?? null,
		published_at: publishedAt,
		author_id: overrides.author?.id ?? null,
		source_channel: overrides.sourceChannel ?? 'direct',
		source_url: overrides.sourceUrl ?? null,
		source_note: overrides.sourceNote ?? null,
		tags: textArray(overrides.tags ?? []),
		releases: textArray(overrides.releases ?? []),
		duplicate_of_id: overrides.duplicateOf?.id ?? null,
		hidden_at: overrides.hiddenAt ?? null,
		hidden_reason: overrides.hiddenReason ?? null,
		locked_at: overrides.lockedAt ?? null,
		created_at: createdAt,
		updated_at: overrides.updatedAt ?? createdAt
	});
	for (const slug of overrides.components ?? []) {
		const component = await buildComponent(db, { slug });
		await db.insertInto('need_component').values({ need_id: need.id, component_id: component.id }).execute();
	}
	if (overrides.supporters?.length) {
		await db
			.insertInto('support')
			.values(overrides.supporters.map((m) => ({ need_id: need.id, member_id: m.id, deployment_id: null, impact: null, created_at: createdAt })))
			.execute();
	}
	await recountSupport(db, need.id);
	if (need.duplicate_of_id) await recountSupport(db, need.duplicate_of_id);
	return db.selectFrom('need').selectAll().where('id', '=', need.id).executeTakeFirstOrThrow();
}

/** A component by slug, created if missing. */
export async function buildComponent(db: Db, overrides: Partial<{ slug: string; name: string; description: string }> = {}) {
	sequence += 1;
	const slug = overrides.slug ?? `component-${sequence}`;
	const existing = await db.selectFrom('component').selectAll().where('slug', '=', slug).executeTakeFirst();
	if (existing) return existing;
	return db
		.insertInto('component')
		.values({
			slug,
			name: overrides.name ?? slug.replace(/(^|-)(\w)/g, (_, dash: string, c: string) => `${dash ? ' ' : ''}${c.toUpperCase()}`),
			description: overrides.description ?? '',
			created_at: FACTORY_TIME
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** One support row with optional evidence, then the need's exact count; for tests that set up data. */
export async function buildSupport(
	db: Db,
	need: { id: number },
	member: { id: number },
	options: Partial<{ deployment: { id: number } | null; impact: string | null; createdAt: Date }> = {}
) {
	await db
		.insertInto('support')
		.values({
			need_id: need.id,
			member_id: member.id,
			deployment_id: options.deployment?.id ?? null,
			impact: options.impact ?? null,
			created_at: options.createdAt ?? FACTORY_TIME
		})
		.execute();
	const row = await db.selectFrom('need').select('duplicate_of_id').where('id', '=', need.id).executeTakeFirstOrThrow();
	await recountSupport(db, row.duplicate_of_id ?? need.id);
}

/** A deployment row for a member, as evidence. */
export async function buildDeployment(
	db: Db,
	member: { id: number },
	overrides: Partial<{ name: string; nodes: number | null; instances: number | null }> = {}
) {
	sequence += 1;
	return db
		.insertInto('deployment')
		.values({
			member_id: member.id,
			name: overrides.name ?? `Cloud ${sequence}`,
			nodes: overrides.nodes === undefined ? 10 : overrides.nodes,
			instances: overrides.instances === undefined ? 100 : overrides.instances,
			region: null,
			created_at: FACTORY_TIME,
			updated_at: FACTORY_TIME
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** The commands' own recount (needs.supports.ts): support_count and the stored supporter facts. */
async function recountSupport(db: Executor, needId: number) {
	await recountFacts(db, [needId]);
}
