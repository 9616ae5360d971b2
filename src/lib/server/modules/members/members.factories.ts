import type { Db } from '#lib/server/platform/db/database.ts';
import type { MemberRow, Segment } from './members.tables.ts';

let sequence = 0;

/** A member row straight in the table; a precomputed hash keeps factories fast (the password is "correct horse battery"). */
export async function buildMember(
	db: Db,
	overrides: Partial<{
		email: string;
		handle: string;
		displayName: string;
		isAdmin: boolean;
		organization: string | null;
		segments: Segment[];
		passwordHash: string | null;
	}> = {}
): Promise<MemberRow> {
	sequence += 1;
	const handle = overrides.handle ?? `member-${sequence}-${Math.random().toString(36).slice(2, 6)}`;
	const now = new Date('2026-11-01T00:00:00Z');
	return db
		.insertInto('member')
		.values({
			email: overrides.email ?? `${handle}@example.org`,
			handle,
			display_name: overrides.displayName ?? `Member ${sequence}`,
			password_hash: overrides.passwordHash === undefined ? FACTORY_PASSWORD_HASH : overrides.passwordHash,
			organization: overrides.organization ?? null,
			segments: overrides.segments ?? ['operator'],
			is_admin: overrides.isAdmin ?? false,
			created_at: now,
			updated_at: now
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

export const FACTORY_PASSWORD = 'correct horse battery';
// argon2id of FACTORY_PASSWORD with the production parameters.
export const FACTORY_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$kHeJhZ1XEgFUrO3c7QSz4Q$1GmrT92npKZbVrRuaHi9HdYa4KtQMaykOF5hw0hXTF0';
