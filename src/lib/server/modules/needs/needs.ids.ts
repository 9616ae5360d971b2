import { randomInt } from 'node:crypto';
import type { InsertObject } from 'kysely';
import type { Database, Executor } from '#lib/server/platform/db/database.ts';
import type { NeedRow } from './needs.tables.ts';

/**
 * Ids of unpublished needs (those only a closed group's members see) are drawn at random from a range the
 * public sequence never reaches, so counting the gaps between public ids counts nothing hidden, and a
 * hidden need's address cannot be guessed by walking numbers (docs/decisions/0014). Ten digits keep the
 * "#id" short enough to say aloud.
 */
export const UNLISTED_NEED_IDS = { min: 2 ** 31, max: 2 ** 33 } as const;

export const isUnlistedNeedId = (id: number) => id >= UNLISTED_NEED_IDS.min;

/** Inserts a need: the next public id when it is published, a random unlisted one when it is not. */
export async function insertNeed(db: Executor, values: Omit<InsertObject<Database, 'need'>, 'id'>): Promise<NeedRow> {
	if (values.published_at) return db.insertInto('need').values(values).returningAll().executeTakeFirstOrThrow();
	for (let attempt = 0; attempt < 5; attempt++) {
		const id = randomInt(UNLISTED_NEED_IDS.min, UNLISTED_NEED_IDS.max);
		const row = await db
			.insertInto('need')
			.values({ ...values, id })
			.onConflict((oc) => oc.column('id').doNothing())
			.returningAll()
			.executeTakeFirst();
		if (row) return row;
	}
	throw new Error('Five random need ids in a row were taken; the unlisted range is nearly full.');
}
