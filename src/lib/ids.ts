/**
 * The one rule for a numeric id in an address or a form field: 1 to 15 digits without a leading zero, so
 * every stored id (a bigserial, below 2^53) reads back exactly and each id has one address.
 */
export const ID_PATTERN = /^[1-9]\d{0,14}$/;

/** The id a text names, or undefined when it names none. */
export const parseId = (text: unknown): number | undefined => (typeof text === 'string' && ID_PATTERN.test(text) ? Number(text) : undefined);
