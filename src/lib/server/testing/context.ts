import type { Actor, Ctx } from '#lib/server/platform/context.ts';
import type { Db } from '#lib/server/platform/db/database.ts';
import type { MemberRow } from '#lib/server/modules/members/members.tables.ts';
import { toActor } from '#lib/server/modules/members/members.queries.ts';

/** A controllable clock: tests move time instead of waiting for it. */
export class TestClock {
	current: Date;
	constructor(start = new Date('2026-11-25T12:00:00Z')) {
		this.current = start;
	}
	now = () => new Date(this.current);
	advance(ms: number) {
		this.current = new Date(this.current.getTime() + ms);
	}
}

export function ctxFor(db: Db, who: MemberRow | Actor | null, clock = new TestClock()): Ctx {
	const actor = who === null ? null : 'memberId' in who ? who : toActor(who, 'session');
	return { db, actor, now: clock.now };
}
