import type { Executor } from './db/database.ts';

/*
 * Hooks between modules that must not import each other. A module that keeps facts derived from another
 * module's rows names the hook in its manifest; the module that owns the rows calls the hook in the
 * transaction of its change.
 */

/** What changed in a member's evidence: their profile (organization or segments), or one deployment (size, or removed). */
export type MemberEvidenceChange = { memberId: number } | { deploymentId: number };

/**
 * Called before the change, in its transaction: takes the locks it needs and returns what to run after
 * the change (still in the transaction) to bring the derived facts up to date.
 */
export type MemberEvidenceHook = (db: Executor, change: MemberEvidenceChange) => Promise<() => Promise<void>>;

const KEY = Symbol.for('caucus.hooks.memberEvidence.v2');
// On globalThis, by owning module: the built server and the `caucus serve` process around it each load
// their own copy of the modules, and a module's hook must still run once per change.
const hooks: Map<string, MemberEvidenceHook> = ((globalThis as Record<symbol, Map<string, MemberEvidenceHook>>)[KEY] ??= new Map());

/** Subscribes a module's hook (the composition root's installModules does this); a second call replaces it. */
export function onMemberEvidenceChanged(owner: string, fn: MemberEvidenceHook): void {
	hooks.set(owner, fn);
}

/**
 * Runs every registered hook's first half before a change to a member's evidence, and returns the
 * second halves, to call after the change in the same transaction.
 */
export async function memberEvidenceChanging(db: Executor, change: MemberEvidenceChange): Promise<() => Promise<void>> {
	const after: (() => Promise<void>)[] = [];
	for (const fn of hooks.values()) after.push(await fn(db, change));
	return async () => {
		for (const fn of after) await fn();
	};
}
