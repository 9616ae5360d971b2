import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export const SEGMENTS = ['operator', 'end_user', 'developer', 'security', 'vendor'] as const;
export type Segment = (typeof SEGMENTS)[number];

export interface MemberTable {
	id: Generated<number>;
	email: string;
	email_verified: Generated<boolean>;
	handle: string;
	display_name: string;
	password_hash: string | null;
	organization: string | null;
	segments: Generated<Segment[]>;
	bio: Generated<string>;
	is_admin: Generated<boolean>;
	created_at: Date;
	updated_at: Date;
}
export type MemberRow = Selectable<MemberTable>;
export type NewMemberRow = Insertable<MemberTable>;
export type MemberRowUpdate = Updateable<MemberTable>;

export interface DeploymentTable {
	id: Generated<number>;
	member_id: number;
	name: string;
	/** Hypervisors or nodes. */
	nodes: number | null;
	instances: number | null;
	releases: Generated<string[]>;
	components: Generated<string[]>;
	region: string | null;
	created_at: Date;
	updated_at: Date;
}
export type DeploymentRow = Selectable<DeploymentTable>;

export interface SessionTable {
	/** SHA-256 of the cookie value; the value itself is never stored. */
	id_hash: string;
	member_id: number;
	created_at: Date;
	last_seen_at: Date;
	expires_at: Date;
	user_agent: string | null;
}

export interface ApiTokenTable {
	id: Generated<number>;
	member_id: number;
	name: string;
	token_hash: string;
	/** The first characters of the token, so its owner can tell tokens apart. */
	prefix: string;
	created_at: Date;
	last_used_at: Date | null;
	revoked_at: Date | null;
}
export type ApiTokenRow = Selectable<ApiTokenTable>;

export interface SignInAttemptTable {
	id: Generated<number>;
	/** The lower-cased e-mail that was tried. */
	account: string;
	address: string;
	succeeded: boolean;
	at: Date;
}

/** One sign-up tried from an address, kept for the sign-up throttle (decision 0012). */
export interface SignUpAttemptTable {
	id: Generated<number>;
	address: string;
	at: Date;
}

/** A one-time password reset link an administrator issued; only the SHA-256 of its token is stored. */
export interface PasswordResetLinkTable {
	id: Generated<number>;
	member_id: number;
	token_hash: string;
	/** The administrator who issued it; null from the command line or once they are gone. */
	issued_by: number | null;
	created_at: Date;
	expires_at: Date;
	used_at: Date | null;
}

export interface MemberIdentityTable {
	issuer: string;
	subject: string;
	member_id: number;
	email: string | null;
	created_at: Date;
}

export interface MembersTables {
	member: MemberTable;
	deployment: DeploymentTable;
	session: SessionTable;
	api_token: ApiTokenTable;
	sign_in_attempt: SignInAttemptTable;
	sign_up_attempt: SignUpAttemptTable;
	password_reset_link: PasswordResetLinkTable;
	member_identity: MemberIdentityTable;
}
