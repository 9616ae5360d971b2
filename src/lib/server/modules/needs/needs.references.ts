import type { Ctx, TxCtx } from '#lib/server/platform/context.ts';
import { markdownReferences, renderMarkdownWith, type ResolvedReferences } from '#lib/server/platform/markdown.ts';
import { notify } from '#lib/server/platform/notifications.ts';
import { memberRefsByHandles } from '#lib/server/modules/members/index.ts';
import type { GroupRow } from '#lib/server/modules/groups/index.ts';
import { readersAmong } from './needs.triage.ts';
import type { NeedRow } from './needs.tables.ts';
import { needReadableBy } from './needs.visibility.ts';

/*
 * `#123` and `@handle` in need descriptions and comments (issue 11; the syntax is platform/markdown.ts's).
 *
 * - Rendering: a `#123` the reader may read becomes a link titled with the need's title; one they may not
 *   read (a closed group's, a hidden one) or that does not exist stays the text that was typed, so the two
 *   look the same and nothing of a closed group's need, not even that it exists, reaches an outsider. A
 *   link that answered 404 would say no more, but would send the reader to a dead end; plain text says what
 *   the author typed and no more. `@handle` links the member's page when the member exists (member pages
 *   are public).
 * - Telling: a mentioned member is told (`need.mentioned`) once per text (a description, a comment), the
 *   first time a save of it names them, and only if they may read the need, as every notification is
 *   decided for its recipient. The author is never told of their own mention; a mention in code is no
 *   mention.
 */

/** At most this many distinct members are told of one text's mentions; the rest are linked, not told. */
export const MENTIONS_TOLD_MAX = 50;
/** At most this many distinct needs and members are looked up for one page's texts; the rest stay text. */
const REFERENCES_RESOLVED_MAX = 500;

/** What the references in `sources` resolve to for the reader: the needs they may read, the members that exist. */
export async function resolveReferences(ctx: Ctx, sources: readonly string[]): Promise<ResolvedReferences> {
	const needIds = new Set<number>();
	const handles = new Set<string>();
	for (const source of sources) {
		const refs = markdownReferences(source);
		for (const id of refs.needIds) if (needIds.size < REFERENCES_RESOLVED_MAX) needIds.add(id);
		for (const handle of refs.handles) if (handles.size < REFERENCES_RESOLVED_MAX) handles.add(handle);
	}
	const [needs, members] = await Promise.all([
		needIds.size
			? ctx.db
					.selectFrom('need')
					.select(['need.id', 'need.title'])
					.where('need.id', 'in', [...needIds])
					.where(needReadableBy(ctx.actor))
					.execute()
			: [],
		memberRefsByHandles(ctx.db, [...handles])
	]);
	return {
		needs: new Map(needs.map((n) => [Number(n.id), { title: n.title }])),
		members: new Map(members.map((m) => [m.handle, { handle: m.handle, displayName: m.displayName }]))
	};
}

/** Markdown with its references linked as `resolved` (from `resolveReferences` for the same reader) allows. */
export const renderWithReferences = (source: string, resolved: ResolvedReferences): string => renderMarkdownWith(source, resolved);

/**
 * Tells the members `text` mentions who may read the need and were not told of this text before
 * (`commentId` null: the need's description). Returns the ids told.
 */
export async function tellMentioned(
	tx: TxCtx,
	access: { need: NeedRow; group: Pick<GroupRow, 'visibility'> | null },
	text: { body: string; commentId: number | null }
): Promise<number[]> {
	const actor = tx.actor;
	if (!actor) return [];
	const { handles } = markdownReferences(text.body);
	if (!handles.length) return [];
	const mentioned = (await memberRefsByHandles(tx.db, handles.slice(0, MENTIONS_TOLD_MAX))).map((m) => m.id).filter((id) => id !== actor.memberId);
	const readers = await readersAmong(tx.db, access, mentioned);
	if (!readers.length) return [];
	const need = access.need;
	// Once per text: the unique indexes keep whoever was told of it before (or by a save racing this one).
	const fresh = await tx.db
		.insertInto('need_mention')
		.values(readers.map((memberId) => ({ need_id: need.id, comment_id: text.commentId, member_id: memberId, author_id: actor.memberId, created_at: tx.now() })))
		.onConflict((oc) => oc.doNothing())
		.returning('member_id')
		.execute();
	const told = fresh.map((r) => Number(r.member_id));
	await notify(tx, told, {
		kind: 'need.mentioned',
		subjectType: 'need',
		subjectId: need.id,
		data: { needId: need.id, commentId: text.commentId, title: need.title, handle: actor.handle, displayName: actor.displayName }
	});
	return told;
}
