import type { Kysely } from 'kysely';

/*
 * (being written)
 *
 * Frozen in time: this file speaks SQL only and imports nothing from the app.
 */
export async function up(_db: Kysely<any>): Promise<void> {}

export async function down(_db: Kysely<any>): Promise<void> {}
