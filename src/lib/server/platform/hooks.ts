import type { Executor } from './db/database.ts';

/*
 * Hooks between modules that must not import each other. A module that keeps facts derived from another
 * module's rows registers here (from its index.ts); the module that owns the rows calls the hook in the
 * transaction of its change.
 */

/** What changed in a member's evidence: their profile (organization or segments), or one deployment (size, or removed). */
export type MemberEvidenceChange = { memberId: number } | { deploymentId: number };

/**
 * Called before the change, in its transaction: takes the locks it needs and returns what to run after
 * the change (still in the transaction) to bring the derived facts up to date.
 */
export type MemberEvidenceHook = (db: Executor, change: MemberEvidenceChange) => Promise<() => Promise<void>>;

const KEY = Symbol.for('caucus.hooks.memberEvidence');
// On globalThis: the built server may bundle this module more than once; every copy must share the list.
const hooks: MemberEvidenceHook[] = ((globalThis as Record<symbol, MemberEvidenceHook[]>)[KEY] ??= []);

/** Registers a hook (once, however often the registering module is loaded). */
export function onMemberEvidenceChanged(fn: MemberEvidenceHook): void {
	if (!hooks.includes(fn)) hooks.push(fn);
}

/**
 * Runs every registered hook's first half before a change to a member's evidence, and returns the
 * second halves, to call after the change in the same transaction.
 */
export async function memberEvidenceChanging(db: Executor, change: MemberEvidenceChange): Promise<() => Promise<void>> {
	const after: (() => Promise<void>)[] = [];
	for (const fn of hooks) after.push(await fn(db, change));
	return async () => {
		for (const fn of after) await fn();
	};
}
