import type { Db } from '#lib/server/platform/db/database.ts';
import type { GroupKind, GroupMembershipRow, GroupRole, GroupRow, GroupVisibility, MembershipState } from './groups.tables.ts';

let sequence = 0;

/** A group row straight in the table; with `chair`, that member is added as its active chair. */
export async function buildGroup(
	db: Db,
	overrides: Partial<{
		slug: string;
		name: string;
		kind: GroupKind;
		visibility: GroupVisibility;
		summary: string;
		charter: string;
		chair: { id: number } | null;
	}> = {}
): Promise<GroupRow> {
	sequence += 1;
	const slug = overrides.slug ?? `group-${sequence}-${Math.random().toString(36).slice(2, 6)}`;
	const now = new Date('2026-11-01T00:00:00Z');
	const group = await db
		.insertInto('group')
		.values({
			slug,
			name: overrides.name ?? `Group ${sequence}`,
			kind: overrides.kind ?? 'working_group',
			visibility: overrides.visibility ?? 'open',
			summary: overrides.summary ?? '',
			charter: overrides.charter ?? '',
			created_by: overrides.chair?.id ?? null,
			created_at: now,
			updated_at: now
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	if (overrides.chair) await addMembership(db, group, overrides.chair, { role: 'chair' });
	return group;
}

/** A membership row straight in the table: active member unless told otherwise. */
export async function addMembership(
	db: Db,
	group: { id: number },
	member: { id: number },
	overrides: Partial<{ role: GroupRole; state: MembershipState; message: string; invitedBy: { id: number } | null }> = {}
): Promise<GroupMembershipRow> {
	const now = new Date('2026-11-01T00:00:00Z');
	return db
		.insertInto('group_membership')
		.values({
			group_id: group.id,
			member_id: member.id,
			role: overrides.role ?? 'member',
			state: overrides.state ?? 'active',
			message: overrides.message ?? '',
			invited_by: overrides.invitedBy?.id ?? null,
			created_at: now,
			updated_at: now
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}
