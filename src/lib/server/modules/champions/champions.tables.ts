import type { Generated, Selectable } from 'kysely';

/** A champion carries a need upstream (an operator who can code); a sponsor backs it (a developer who reviews or mentors). */
export const CHAMPION_ROLES = ['champion', 'sponsor'] as const;
export type ChampionRole = (typeof CHAMPION_ROLES)[number];

/** The forges whose review or merge-request addresses Caucus recognises. */
export const FORGES = ['gerrit', 'github', 'gitlab'] as const;
export type Forge = (typeof FORGES)[number];

/** An upstream change's state as its champion reports it: abandoned covers Gerrit's abandoned and a closed PR or MR. */
export const CHANGE_STATES = ['open', 'merged', 'abandoned'] as const;
export type ChangeState = (typeof CHANGE_STATES)[number];

/** A member's standing as champion or sponsor of a need; ended by withdrawing or by a moderator's removal. */
export interface NeedChampionTable {
	id: Generated<number>;
	need_id: number;
	member_id: number;
	role: ChampionRole;
	/** What they mean to do, in their words (optional). */
	note: Generated<string>;
	created_at: Date;
	ended_at: Date | null;
	ended_by: number | null;
	/** Null when they withdrew; a moderator's reason when removed. */
	end_reason: string | null;
}
export type NeedChampionRow = Selectable<NeedChampionTable>;

/** Where an invitation to champion or sponsor a need stands. */
export const INVITATION_STATES = ['pending', 'accepted', 'declined', 'withdrawn'] as const;
export type InvitationState = (typeof INVITATION_STATES)[number];

/** A need's chair or moderator asks a member to champion or sponsor it; the member accepts or declines. */
export interface ChampionInvitationTable {
	id: Generated<number>;
	need_id: number;
	/** Who is asked. */
	member_id: number;
	role: ChampionRole;
	/** Why them, in the asker's words (optional). */
	note: Generated<string>;
	invited_by: number | null;
	created_at: Date;
	state: Generated<InvitationState>;
	/** When it was accepted, declined or withdrawn, and by whom (the invitee, or the moderator who withdrew it). */
	answered_at: Date | null;
	answered_by: number | null;
}
export type ChampionInvitationRow = Selectable<ChampionInvitationTable>;

/** A review or pull/merge request upstream that works on a need. */
export interface UpstreamChangeTable {
	id: Generated<number>;
	need_id: number;
	/** The address as normalised when it was linked (no query, no fragment except Gerrit's old #/c/ form). */
	url: string;
	forge: Forge;
	host: string;
	/** owner/repo, a GitLab project path or a Gerrit project. */
	project: string;
	/** The change, pull request or merge request number. */
	number: number;
	state: Generated<ChangeState>;
	added_by: number | null;
	created_at: Date;
	state_changed_at: Date;
	/** Who last set the state; null when the refresher read it from the forge. */
	state_changed_by: number | null;
	/** When the refresher last read the change from its forge (GitHub pull requests only). */
	checked_at: Date | null;
}
export type UpstreamChangeRow = Selectable<UpstreamChangeTable>;

export interface ChampionsTables {
	need_champion: NeedChampionTable;
	upstream_change: UpstreamChangeTable;
	champion_invitation: ChampionInvitationTable;
}
