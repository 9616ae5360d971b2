import type { RawBuilder } from 'kysely';
import { inTransaction, type Ctx, type TxCtx } from '#lib/server/platform/context.ts';
import { recordActivity } from '#lib/server/platform/activity.ts';
import { AppError, conflict, forbidden, invalid, isUniqueViolation, notFound, parseInput, unauthenticated } from '#lib/server/platform/errors.ts';
import { textArray } from '#lib/server/platform/db/sql.ts';
import {
	componentInput,
	componentPatchInput,
	needInput,
	needPatchInput,
	type CreateComponentInput,
	type EditNeedInput,
	type FileNeedInput,
	type UpdateComponentInput
} from './needs.schemas.ts';
import { mayEditNeed, mayFileNeed } from './needs.policy.ts';
import { groupAndMembership, loadNeedAccess, needFacts } from './needs.access.ts';
import { toNeed, type Need } from './needs.model.ts';
import { lockEvidence, recountSupport } from './needs.supports.ts';
import { toComponent, type Component } from './needs.queries.ts';
import { insertNeed } from './needs.ids.ts';
import { tellMentioned } from './needs.references.ts';

/*
 * Writes for filing and editing needs, and for the component taxonomy. Supports, comments and triage
 * live in needs.supports.ts, needs.comments.ts and needs.triage.ts. Each command: authorize, validate,
 * write, record the event, in one transaction.
 */

/** Component slugs → ids; an unknown slug is a field error naming it. */
async function componentIds(tx: TxCtx, slugs: readonly string[]): Promise<number[]> {
	if (!slugs.length) return [];
	const wanted = slugs.map((s) => s.toLowerCase());
	const rows = await tx.db.selectFrom('component').select(['id', 'slug']).where('slug', 'in', wanted).execute();
	const known = new Map(rows.map((r) => [r.slug, r.id]));
	const unknown = wanted.filter((s) => !known.has(s));
	if (unknown.length) throw invalid({ components: `Unknown component${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}. Pick from the list.` });
	return [...new Set(wanted.map((s) => known.get(s)!))];
}

const stringArray = (values: readonly string[]) => textArray(values) as RawBuilder<string[]>;

/**
 * Files a need. The author supports and follows it at once (support_count = 1). A need filed in a
 * closed group starts unpublished: only the group's members see it until the group publishes it.
 */
export async function fileNeed(ctx: Ctx, input: FileNeedInput): Promise<Need> {
	if (!ctx.actor) throw unauthenticated('Sign in to file a need.');
	const actor = ctx.actor;
	const data = parseInput(needInput, input);
	return inTransaction(ctx, async (tx) => {
		const { group, membership } = await groupAndMembership(tx.db, data.groupId, actor.memberId);
		if (data.groupId !== null && !group) throw invalid({ groupId: 'There is no such group.' });
		if (!mayFileNeed(actor, group, membership)) {
			const message = 'Only members of this closed group may file needs in it.';
			throw new AppError('forbidden', message, { groupId: message });
		}
		const components = await componentIds(tx, data.components);
		if (data.deploymentId !== null && !(await lockEvidence(tx, actor.memberId, data.deploymentId)).own) {
			throw invalid({ deploymentId: 'Pick one of your own deployments.' });
		}
		const now = tx.now();
		const row = await insertNeed(tx.db, {
			title: data.title,
			body: data.body,
			kind: data.kind,
			group_id: group?.id ?? null,
			published_at: group?.visibility === 'closed' ? null : now,
			author_id: actor.memberId,
			source_channel: data.sourceChannel,
			source_url: data.sourceUrl,
			source_note: data.sourceNote,
			tags: stringArray(data.tags),
			releases: stringArray(data.releases),
			support_count: 1,
			created_at: now,
			updated_at: now
		});
		if (components.length)
			await tx.db
				.insertInto('need_component')
				.values(components.map((id) => ({ need_id: row.id, component_id: id })))
				.execute();
		await tx.db
			.insertInto('support')
			.values({ need_id: row.id, member_id: actor.memberId, deployment_id: data.deploymentId, impact: null, created_at: now })
			.execute();
		// The author's organization counts at once: the stored supporter facts, recounted like every support.
		await recountSupport(tx.db, [row.id]);
		await tx.db.insertInto('need_follow').values({ need_id: row.id, member_id: actor.memberId, created_at: now }).execute();
		await recordActivity(tx, {
			action: 'need.filed',
			subjectType: 'need',
			subjectId: row.id,
			groupId: row.group_id,
			data: { title: row.title, kind: row.kind, published: row.published_at !== null }
		});
		await tellMentioned(tx, { need: row, group }, { body: row.body, commentId: null });
		return toNeed(await tx.db.selectFrom('need').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow());
	});
}

const EDITABLE = ['title', 'body', 'kind', 'components', 'tags', 'releases', 'sourceChannel', 'sourceUrl', 'sourceNote'] as const;

/**
 * Edits a need (its author while it is not locked or hidden, or a moderator). Fields left out keep
 * their values; the result is validated as a whole, like a filing. The activity entry keeps each
 * changed field's previous and new value: the need's history.
 */
export async function editNeed(ctx: Ctx, needId: number, input: EditNeedInput): Promise<Need> {
	if (!ctx.actor) throw unauthenticated('Sign in to edit a need.');
	const patch = parseInput(needPatchInput, input);
	return inTransaction(ctx, async (tx) => {
		const { need: current, group, membership } = await loadNeedAccess(tx, needId, { forUpdate: true });
		if (!mayEditNeed(tx.actor, needFacts(current), group, membership)) {
			throw forbidden(
				current.locked_at ? 'This need is locked; only its group’s moderators may edit it.' : 'Only the need’s author and its group’s moderators may edit it.'
			);
		}
		const currentComponents = await tx.db
			.selectFrom('need_component')
			.innerJoin('component', 'component.id', 'need_component.component_id')
			.select('component.slug')
			.where('need_component.need_id', '=', current.id)
			.orderBy('component.slug')
			.execute();
		const before = {
			title: current.title,
			body: current.body,
			kind: current.kind,
			components: currentComponents.map((c) => c.slug),
			tags: current.tags,
			releases: current.releases,
			sourceChannel: current.source_channel,
			sourceUrl: current.source_url,
			sourceNote: current.source_note
		};
		const merged: Record<string, unknown> = { ...before, groupId: current.group_id };
		for (const key of EDITABLE) if (patch[key] !== undefined) merged[key] = patch[key];
		const data = parseInput(needInput, merged);
		const components = await componentIds(tx, data.components);
		const after = {
			title: data.title,
			body: data.body,
			kind: data.kind,
			components: [...data.components].map((s) => s.toLowerCase()).sort(),
			tags: data.tags,
			releases: data.releases,
			sourceChannel: data.sourceChannel,
			sourceUrl: data.sourceUrl,
			sourceNote: data.sourceNote
		};
		const changes: Record<string, { from: unknown; to: unknown }> = {};
		for (const key of EDITABLE) {
			if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) changes[key] = { from: before[key], to: after[key] };
		}
		if (!Object.keys(changes).length) return toNeed(current);
		const row = await tx.db
			.updateTable('need')
			.set({
				title: data.title,
				body: data.body,
				kind: data.kind,
				source_channel: data.sourceChannel,
				source_url: data.sourceUrl,
				source_note: data.sourceNote,
				tags: stringArray(data.tags),
				releases: stringArray(data.releases),
				updated_at: tx.now()
			})
			.where('id', '=', current.id)
			.returningAll()
			.executeTakeFirstOrThrow();
		if (changes.components) {
			await tx.db.deleteFrom('need_component').where('need_id', '=', current.id).execute();
			if (components.length)
				await tx.db
					.insertInto('need_component')
					.values(components.map((id) => ({ need_id: current.id, component_id: id })))
					.execute();
		}
		await recordActivity(tx, { action: 'need.edited', subjectType: 'need', subjectId: current.id, groupId: current.group_id, data: { changes } });
		// Members the description mentions for the first time are told.
		if (changes.body) await tellMentioned(tx, { need: row, group }, { body: row.body, commentId: null });
		return toNeed(row);
	});
}

// ---------------------------------------------------------------------------------------------------
// The component taxonomy (site administrators).

function requireAdmin(ctx: Ctx) {
	if (!ctx.actor) throw unauthenticated();
	if (!ctx.actor.isAdmin) throw forbidden('Only administrators manage the component list.');
	return ctx.actor;
}

function slugTaken(error: unknown): never {
	if (isUniqueViolation(error, 'component_slug_key')) throw conflict('That slug is taken.', { slug: 'Another component has this slug; pick another.' });
	throw error;
}

export async function createComponent(ctx: Ctx, input: CreateComponentInput): Promise<Component> {
	requireAdmin(ctx);
	const data = parseInput(componentInput, input);
	return inTransaction(ctx, async (tx) => {
		const row = await tx.db
			.insertInto('component')
			.values({ slug: data.slug, name: data.name, description: data.description, created_at: tx.now() })
			.returningAll()
			.executeTakeFirstOrThrow()
			.catch(slugTaken);
		await recordActivity(tx, { action: 'component.created', subjectType: 'component', subjectId: row.id, data: { slug: row.slug, name: row.name } });
		return toComponent(row);
	});
}

/** Changes a component; fields left out keep their values. Needs refer to it by id, so a new slug keeps them attached. */
export async function updateComponent(ctx: Ctx, componentId: number, input: UpdateComponentInput): Promise<Component> {
	requireAdmin(ctx);
	const patch = parseInput(componentPatchInput, input);
	return inTransaction(ctx, async (tx) => {
		const current = Number.isSafeInteger(componentId)
			? await tx.db.selectFrom('component').selectAll().where('id', '=', componentId).forUpdate().executeTakeFirst()
			: undefined;
		if (!current) throw notFound('The component');
		const data = parseInput(componentInput, {
			name: patch.name ?? current.name,
			slug: patch.slug ?? current.slug,
			description: patch.description ?? current.description
		});
		const row = await tx.db
			.updateTable('component')
			.set({ slug: data.slug, name: data.name, description: data.description })
			.where('id', '=', componentId)
			.returningAll()
			.executeTakeFirstOrThrow()
			.catch(slugTaken);
		await recordActivity(tx, {
			action: 'component.updated',
			subjectType: 'component',
			subjectId: row.id,
			data: {
				from: { slug: current.slug, name: current.name, description: current.description },
				to: { slug: row.slug, name: row.name, description: row.description }
			}
		});
		return toComponent(row);
	});
}
