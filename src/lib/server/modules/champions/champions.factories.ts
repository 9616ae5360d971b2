import type { Db } from '#lib/server/platform/db/database.ts';
import { buildMember } from '#lib/server/modules/members/members.factories.ts';
import { buildNeed } from '#lib/server/modules/needs/needs.factories.ts';
import type { ChampionRole, ChangeState, NeedChampionRow, UpstreamChangeRow } from './champions.tables.ts';
import { parseChangeUrl } from './champions.urls.ts';

/*
 * Test data for champions, sponsors and linked upstream changes, straight in the tables: no actor, no
 * notification, no activity. What `volunteer` and `linkChange` check and these do not: that the member
 * may read and champion the need, that the need is still open. What the tables themselves refuse still
 * fails here: a second standing role of one member on one need, the same change linked twice.
 */

let sequence = 0;
const FACTORY_TIME = new Date('2026-11-01T00:00:00Z');

export interface BuildChampionOverrides {
	/** Defaults to a new accepted need in no group. */
	need: { id: number };
	/** Defaults to a new member. */
	member: { id: number };
	role: ChampionRole;
	note: string;
	createdAt: Date;
	/** An ended standing role: `endedBy` is the member themselves (withdrew, end_reason null) or a moderator (removed, with a reason). */
	endedAt: Date | null;
	endedBy: { id: number } | null;
	endReason: string | null;
}

/** A need_champion row: a standing champion unless told otherwise. */
export async function buildChampion(db: Db, overrides: Partial<BuildChampionOverrides> = {}): Promise<NeedChampionRow> {
	sequence += 1;
	const need = overrides.need ?? (await buildNeed(db, { status: 'accepted' }));
	const member = overrides.member ?? (await buildMember(db));
	const endedAt = overrides.endedAt ?? null;
	return db
		.insertInto('need_champion')
		.values({
			need_id: need.id,
			member_id: member.id,
			role: overrides.role ?? 'champion',
			note: overrides.note ?? '',
			created_at: overrides.createdAt ?? new Date(FACTORY_TIME.getTime() + sequence * 1000),
			ended_at: endedAt,
			ended_by: endedAt ? (overrides.endedBy === undefined ? member.id : (overrides.endedBy?.id ?? null)) : null,
			end_reason: endedAt ? (overrides.endReason ?? null) : null
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

/** A sponsor: a champion row with the sponsor's role. */
export const buildSponsor = (db: Db, overrides: Partial<Omit<BuildChampionOverrides, 'role'>> = {}) => buildChampion(db, { ...overrides, role: 'sponsor' });

export interface BuildUpstreamChangeOverrides {
	/** Defaults to a new accepted need in no group. */
	need: { id: number };
	/** A Gerrit change, GitHub pull request or GitLab merge request address; defaults to a new GitHub pull request. */
	url: string;
	state: ChangeState;
	addedBy: { id: number } | null;
	createdAt: Date;
	stateChangedAt: Date;
	stateChangedBy: { id: number } | null;
	checkedAt: Date | null;
}

/**
 * An upstream_change row, its forge, host, project and number read from the address by the same parser
 * `linkChange` uses, and stored in its normal form. A `number` comes back as a number, as from the commands.
 */
export async function buildUpstreamChange(db: Db, overrides: Partial<BuildUpstreamChangeOverrides> = {}): Promise<UpstreamChangeRow> {
	sequence += 1;
	const need = overrides.need ?? (await buildNeed(db, { status: 'accepted' }));
	const address = overrides.url ?? `https://github.com/openstack/nova/pull/${1000 + sequence}`;
	const ref = parseChangeUrl(address);
	if (!ref) throw new Error(`buildUpstreamChange: ${address} is not a Gerrit change, GitHub pull request or GitLab merge request`);
	const createdAt = overrides.createdAt ?? new Date(FACTORY_TIME.getTime() + sequence * 1000);
	const addedBy = overrides.addedBy?.id ?? null;
	const row = await db
		.insertInto('upstream_change')
		.values({
			need_id: need.id,
			url: ref.url,
			forge: ref.forge,
			host: ref.host,
			project: ref.project,
			number: ref.number,
			state: overrides.state ?? 'open',
			added_by: addedBy,
			created_at: createdAt,
			state_changed_at: overrides.stateChangedAt ?? createdAt,
			state_changed_by: overrides.stateChangedBy === undefined ? addedBy : (overrides.stateChangedBy?.id ?? null),
			checked_at: overrides.checkedAt ?? null
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	return { ...row, number: Number(row.number) };
}
