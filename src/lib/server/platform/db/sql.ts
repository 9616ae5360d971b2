import { sql, type RawBuilder } from 'kysely';

/**
 * A JSON value for a jsonb column. The parameter goes over as text and is cast in SQL, because `pg` and
 * PGlite serialize untyped objects and arrays differently (pg turns arrays into PostgreSQL arrays).
 */
export function jsonb<T>(value: T): RawBuilder<T> {
	return sql<T>`cast(${JSON.stringify(value)} as text)::jsonb`;
}

/** A text[] value; spelled out so both drivers send the same thing. */
export function textArray(values: readonly string[]): RawBuilder<string[]> {
	return sql<string[]>`array(select jsonb_array_elements_text(cast(${JSON.stringify(values)} as text)::jsonb))`;
}
