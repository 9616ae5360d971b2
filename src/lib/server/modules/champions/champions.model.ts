import type { ChampionInvitationRow, ChampionRole, ChangeState, Forge, InvitationState, NeedChampionRow, UpstreamChangeRow } from './champions.tables.ts';
import { changeLabel } from './champions.urls.ts';

/*
 * The champions module's domain objects: what its commands and queries hand to routes, the API and other
 * modules (decision 0016). Rows stay inside the module; each row type has one mapper here, so a column
 * rename touches this file and the module's queries, never a door.
 */

export interface MemberRef {
	id: number;
	handle: string;
	displayName: string;
}

/** A member's standing as champion or sponsor of a need, as a command leaves it. */
export interface Champion {
	id: number;
	needId: number;
	memberId: number;
	role: ChampionRole;
	/** What they mean to do, in their words (may be empty). */
	note: string;
	since: Date;
	/** Set once they withdrew or a moderator removed them. */
	endedAt: Date | null;
	endedBy: number | null;
	/** Null when they withdrew; the moderator's reason when removed. */
	endReason: string | null;
}

export function toChampion(row: NeedChampionRow): Champion {
	return {
		id: row.id,
		needId: row.need_id,
		memberId: row.member_id,
		role: row.role,
		note: row.note,
		since: row.created_at,
		endedAt: row.ended_at,
		endedBy: row.ended_by,
		endReason: row.end_reason
	};
}

/** A review or pull/merge request upstream linked to a need. */
export interface UpstreamChange {
	id: number;
	needId: number;
	url: string;
	forge: Forge;
	host: string;
	project: string;
	number: number;
	/** "Gerrit change 912345", "PR #12", "MR !7". */
	label: string;
	state: ChangeState;
	addedBy: MemberRef | null;
	createdAt: Date;
	stateChangedAt: Date;
}

/** An upstream_change row with the handle and name of the member who linked it (null when there is none). */
export type UpstreamChangeJoinRow = UpstreamChangeRow & { added_by_handle: string | null; added_by_display_name: string | null };

export function toUpstreamChange(row: UpstreamChangeJoinRow): UpstreamChange {
	return {
		id: row.id,
		needId: row.need_id,
		url: row.url,
		forge: row.forge,
		host: row.host,
		project: row.project,
		number: row.number,
		label: changeLabel({ forge: row.forge, number: row.number }),
		state: row.state,
		addedBy:
			row.added_by !== null && row.added_by_handle !== null && row.added_by_display_name !== null
				? { id: row.added_by, handle: row.added_by_handle, displayName: row.added_by_display_name }
				: null,
		createdAt: row.created_at,
		stateChangedAt: row.state_changed_at
	};
}

/** A need's chair or moderator asking a member to champion or sponsor it. */
export interface ChampionInvitation {
	id: number;
	needId: number;
	/** Who is asked. */
	member: MemberRef;
	role: ChampionRole;
	/** Why them, in the asker's words (may be empty). */
	note: string;
	/** Null once the asker's account is gone. */
	invitedBy: MemberRef | null;
	createdAt: Date;
	state: InvitationState;
	/** When it was accepted, declined or withdrawn. */
	answeredAt: Date | null;
}

/** A champion_invitation row with the handles and names of the member asked and of the asker. */
export type ChampionInvitationJoinRow = ChampionInvitationRow & {
	member_handle: string;
	member_display_name: string;
	invited_by_handle: string | null;
	invited_by_display_name: string | null;
};

export function toInvitation(row: ChampionInvitationJoinRow): ChampionInvitation {
	return {
		id: row.id,
		needId: row.need_id,
		member: { id: row.member_id, handle: row.member_handle, displayName: row.member_display_name },
		role: row.role,
		note: row.note,
		invitedBy:
			row.invited_by !== null && row.invited_by_handle !== null && row.invited_by_display_name !== null
				? { id: row.invited_by, handle: row.invited_by_handle, displayName: row.invited_by_display_name }
				: null,
		createdAt: row.created_at,
		state: row.state,
		answeredAt: row.answered_at
	};
}
