import { sql } from 'kysely';
import { recordActivity } from '#lib/server/platform/activity.ts';
import { inTransaction, type Ctx } from '#lib/server/platform/context.ts';
import type { Executor } from '#lib/server/platform/db/database.ts';
import { forbidden, isUniqueViolation, notFound, parseInput, unauthenticated } from '#lib/server/platform/errors.ts';
import { loadNeedAccess, needReadableBy, type NeedAccess } from '#lib/server/modules/needs/index.ts';
import { mayHandOff } from './handoff.policy.ts';
import { sandboxMoveInput, type SandboxMoveInput } from './handoff.schemas.ts';
import type { HandoffKind, SandboxIssueRow, SandboxState, TrackerRow } from './handoff.tables.ts';
import type { ProviderEnv, SandboxIssueRecord, SandboxStore } from './providers/provider.ts';
import { SANDBOX_STATE_WORDS, sandboxIssuePath } from './providers/sandbox.ts';

/*
 * The sandbox tracker's side inside Caucus (decision 0020): the store its provider creates and reads
 * issues through, the pages' queries, and the one command that plays the developers.
 *
 * A sandbox issue stands for an item in a public tracker, so it is read by whoever may read a need handed
 * to it (and by administrators); an issue no readable need points to is "not found", like a closed group's
 * need (decision 0014). It is moved by whoever may hand such a need upstream: its group's chairs and
 * moderators, and administrators.
 */

const toRecord = (row: Pick<SandboxIssueRow, 'tracker_id' | 'number' | 'title' | 'state' | 'milestone' | 'updated_at'>): SandboxIssueRecord => ({
	trackerId: Number(row.tracker_id),
	number: row.number,
	title: row.title,
	state: row.state,
	milestone: row.milestone,
	updatedAt: row.updated_at
});

/** The sandbox's issues in this database, as its provider sees them. Each call is its own statement: no transaction is held. */
export function sandboxStore(db: Executor, now: () => Date, actorId: number | null): SandboxStore {
	return {
		async open(trackerId, issue) {
			for (let attempt = 1; ; attempt++) {
				try {
					const at = now();
					const row = await db
						.insertInto('sandbox_issue')
						.values({
							tracker_id: trackerId,
							number: sql<number>`(select coalesce(max(number), 0) + 1 from sandbox_issue where tracker_id = ${trackerId})`,
							kind: issue.kind,
							title: issue.title,
							body: issue.body,
							labels: issue.labels,
							created_by: actorId && actorId > 0 ? actorId : null,
							created_at: at,
							updated_at: at
						})
						.returningAll()
						.executeTakeFirstOrThrow();
					return toRecord(row);
				} catch (error) {
					// Two handoffs to the same sandbox at once took the same number: take the next one.
					if (attempt < 5 && isUniqueViolation(error, 'sandbox_issue_number_unique')) continue;
					throw error;
				}
			}
		},
		async read(trackerId, number) {
			const row = await db.selectFrom('sandbox_issue').selectAll().where('tracker_id', '=', trackerId).where('number', '=', number).executeTakeFirst();
			return row ? toRecord(row) : null;
		}
	};
}

/** What the handoff code lends every provider: the sandbox's store, acting as `ctx`'s actor. */
export const providerEnv = (ctx: Pick<Ctx, 'db' | 'now' | 'actor'>): ProviderEnv => ({
	sandbox: sandboxStore(ctx.db, ctx.now, ctx.actor?.memberId ?? null)
});

export interface SandboxTrackerView {
	id: number;
	name: string;
	enabled: boolean;
}

export interface SandboxIssueSummary {
	number: number;
	path: string;
	kind: HandoffKind;
	title: string;
	state: SandboxState;
	stateWord: string;
	milestone: string | null;
	createdAt: Date;
	updatedAt: Date;
}

export interface SandboxIssue extends SandboxIssueSummary {
	/** Markdown, as it was handed up. */
	body: string;
	labels: string[];
	openedBy: { handle: string; displayName: string } | null;
	/** Each move after it was opened, oldest first. */
	events: { actor: { handle: string; displayName: string } | null; state: SandboxState; stateWord: string; milestone: string | null; note: string; at: Date }[];
	/** The needs handed to this issue that the reader may read. */
	needs: { id: number; title: string; status: string; mayHandOff: boolean }[];
	/** May the reader play the developers here (move the issue)? */
	abilities: { move: boolean };
}

async function sandboxTracker(db: Executor, trackerId: number): Promise<TrackerRow> {
	if (!Number.isSafeInteger(trackerId) || trackerId <= 0) throw notFound('The sandbox tracker');
	const row = await db.selectFrom('tracker').selectAll().where('id', '=', trackerId).where('provider', '=', 'sandbox').executeTakeFirst();
	if (!row) throw notFound('The sandbox tracker');
	return row;
}

const trackerView = (row: TrackerRow): SandboxTrackerView => ({ id: Number(row.id), name: row.name, enabled: row.disabled_at === null });

const summary = (row: SandboxIssueRow): SandboxIssueSummary => ({
	number: row.number,
	path: sandboxIssuePath(Number(row.tracker_id), row.number),
	kind: row.kind,
	title: row.title,
	state: row.state,
	stateWord: SANDBOX_STATE_WORDS[row.state],
	milestone: row.milestone,
	createdAt: row.created_at,
	updatedAt: row.updated_at
});

/** The sandbox's issues the reader may read, newest first: all for administrators, else those a readable need was handed to. */
export async function listSandboxIssues(ctx: Ctx, trackerId: number): Promise<{ tracker: SandboxTrackerView; issues: SandboxIssueSummary[] }> {
	const tracker = await sandboxTracker(ctx.db, trackerId);
	let query = ctx.db.selectFrom('sandbox_issue').selectAll('sandbox_issue').where('sandbox_issue.tracker_id', '=', trackerId);
	if (!ctx.actor?.isAdmin)
		query = query.where((eb) =>
			eb.exists(
				eb
					.selectFrom('handoff')
					.innerJoin('need', 'need.id', 'handoff.need_id')
					.select('handoff.id')
					.whereRef('handoff.tracker_id', '=', 'sandbox_issue.tracker_id')
					.where('handoff.upstream_key', '=', sql<string>`sandbox_issue.number::text`)
					.where(needReadableBy(ctx.actor))
			)
		);
	const rows = await query.orderBy('sandbox_issue.number', 'desc').limit(500).execute();
	return { tracker: trackerView(tracker), issues: rows.map(summary) };
}

/** The needs handed to an issue, each with the reader's access; unreadable ones are left out. */
async function needsOf(ctx: Ctx, trackerId: number, number: number): Promise<NeedAccess[]> {
	const handoffs = await ctx.db
		.selectFrom('handoff')
		.select('need_id')
		.where('tracker_id', '=', trackerId)
		.where('upstream_key', '=', String(number))
		.execute();
	const found: NeedAccess[] = [];
	for (const h of handoffs) {
		try {
			found.push(await loadNeedAccess(ctx, Number(h.need_id)));
		} catch {
			// Not readable by this reader: not named.
		}
	}
	return found;
}

/** One sandbox issue's page: what was handed up, its history, the needs it stands for. */
export async function getSandboxIssue(ctx: Ctx, trackerId: number, number: number): Promise<{ tracker: SandboxTrackerView; issue: SandboxIssue }> {
	const tracker = await sandboxTracker(ctx.db, trackerId);
	if (!Number.isSafeInteger(number) || number <= 0) throw notFound('The sandbox issue');
	const row = await ctx.db
		.selectFrom('sandbox_issue')
		.leftJoin('member', 'member.id', 'sandbox_issue.created_by')
		.selectAll('sandbox_issue')
		.select(['member.handle', 'member.display_name'])
		.where('sandbox_issue.tracker_id', '=', trackerId)
		.where('sandbox_issue.number', '=', number)
		.executeTakeFirst();
	if (!row) throw notFound('The sandbox issue');
	const needs = await needsOf(ctx, trackerId, number);
	if (!ctx.actor?.isAdmin && !needs.length) throw notFound('The sandbox issue');
	const events = await ctx.db
		.selectFrom('sandbox_issue_event')
		.leftJoin('member', 'member.id', 'sandbox_issue_event.actor_id')
		.select([
			'sandbox_issue_event.state',
			'sandbox_issue_event.milestone',
			'sandbox_issue_event.note',
			'sandbox_issue_event.at',
			'member.handle',
			'member.display_name'
		])
		.where('sandbox_issue_event.issue_id', '=', row.id)
		.orderBy('sandbox_issue_event.at')
		.orderBy('sandbox_issue_event.id')
		.execute();
	const moves = needs.map((a) => mayHandOff(ctx.actor, a.group, a.membership));
	return {
		tracker: trackerView(tracker),
		issue: {
			...summary(row),
			body: row.body,
			labels: row.labels,
			openedBy: row.handle ? { handle: row.handle, displayName: row.display_name! } : null,
			events: events.map((e) => ({
				actor: e.handle ? { handle: e.handle, displayName: e.display_name! } : null,
				state: e.state,
				stateWord: SANDBOX_STATE_WORDS[e.state],
				milestone: e.milestone,
				note: e.note,
				at: e.at
			})),
			needs: needs.map((a, i) => ({ id: a.need.id, title: a.need.title, status: a.need.status, mayHandOff: moves[i] })),
			abilities: { move: !!ctx.actor && (ctx.actor.isAdmin || moves.some(Boolean)) }
		}
	};
}

/**
 * Plays the developers: moves a sandbox issue to a new state (with the release it targets or was fixed in,
 * and a note). Caucus's handoffs learn of it when they sync, as they would from a real tracker.
 */
export async function moveSandboxIssue(ctx: Ctx, trackerId: number, number: number, input: SandboxMoveInput): Promise<SandboxIssueSummary> {
	if (!ctx.actor) throw unauthenticated('Sign in to play the developers on a sandbox issue.');
	const { issue } = await getSandboxIssue(ctx, trackerId, number);
	if (!issue.abilities.move) throw forbidden('Only the chairs and moderators who may hand this need upstream move its sandbox issue.');
	const data = parseInput(sandboxMoveInput, input);
	return inTransaction(ctx, async (tx) => {
		const now = tx.now();
		const row = await tx.db
			.updateTable('sandbox_issue')
			.set({ state: data.state, milestone: data.milestone, updated_at: now })
			.where('tracker_id', '=', trackerId)
			.where('number', '=', number)
			.returningAll()
			.executeTakeFirst();
		if (!row) throw notFound('The sandbox issue');
		await tx.db
			.insertInto('sandbox_issue_event')
			.values({
				issue_id: row.id,
				actor_id: tx.actor!.via === 'cli' ? null : tx.actor!.memberId,
				state: data.state,
				milestone: data.milestone,
				note: data.note,
				at: now
			})
			.execute();
		await recordActivity(tx, {
			action: 'sandbox.issue_moved',
			subjectType: 'tracker',
			subjectId: trackerId,
			data: { number, from: issue.state, to: data.state, milestone: data.milestone }
		});
		return summary(row);
	});
}
