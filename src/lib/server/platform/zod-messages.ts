import { z } from 'zod';

/*
 * The words for a zod issue that its schema did not word itself. A schema's own message always wins (zod
 * asks the schema first); this fills in the rest, for every door: each message names the field, says what
 * was expected and, for a choice, lists the allowed values, instead of zod's "Invalid input".
 */

/** The label of a path's field: "sourceChannel" → "Source channel"; a root value is "This value". */
export function fieldLabel(path: readonly PropertyKey[]): string {
	const key = [...path].reverse().find((k): k is string => typeof k === 'string');
	if (key === undefined) return path.length ? `Item ${String(path.at(-1))}` : ROOT;
	if (key.length <= 2) return `"${key}"`;
	const words = key
		.replace(/([a-z0-9])([A-Z])/g, '$1 $2')
		.replace(/[_-]+/g, ' ')
		.toLowerCase()
		.trim();
	const label = words.charAt(0).toUpperCase() + words.slice(1);
	const index = path.at(-1);
	return typeof index === 'number' ? `${label} item ${index}` : label;
}

const ROOT = 'This value';

const EXPECTED: Record<string, string> = {
	string: 'text',
	number: 'a number',
	int: 'a whole number',
	bigint: 'a whole number',
	boolean: 'true or false',
	array: 'a list',
	tuple: 'a list',
	set: 'a list',
	object: 'an object',
	record: 'an object',
	map: 'an object',
	date: 'a date',
	null: 'null',
	file: 'a file'
};

/** What a value is, in the words of `EXPECTED`. */
function received(input: unknown): string {
	if (input === null) return 'null';
	if (Array.isArray(input)) return 'a list';
	switch (typeof input) {
		case 'string':
			return 'text';
		case 'number':
			return Number.isFinite(input) ? 'a number' : 'not a number';
		case 'boolean':
			return 'true or false';
		case 'object':
			return 'an object';
		default:
			return typeof input;
	}
}

const show = (value: unknown) => (typeof value === 'string' ? value : value === null ? 'null' : String(value));

/** "a, b or c" (or "a, b and c"). */
export const listOf = (items: readonly string[], conjunction: 'or' | 'and' = 'or') =>
	items.length > 1 ? `${items.slice(0, -1).join(', ')} ${conjunction} ${items.at(-1)}` : (items[0] ?? '');

/** "a, b or c", and "(or empty)" when the empty text is one of them. */
export function allowedValues(values: readonly unknown[]): string {
	const shown = [...new Set(values.filter((v) => v !== '' && v !== undefined).map(show))];
	const list = listOf(shown);
	if (!values.includes('')) return list;
	return list ? `${list} (or empty)` : 'empty';
}

const FORMATS: Record<string, string> = {
	email: 'an e-mail address',
	url: 'a URL',
	uuid: 'a UUID',
	datetime: 'a date and time like 2027-02-01T12:00:00Z',
	date: 'a date like 2027-02-01',
	time: 'a time like 12:00',
	duration: 'an ISO 8601 duration',
	ipv4: 'an IPv4 address',
	ipv6: 'an IPv6 address',
	base64: 'base64 text',
	base64url: 'base64url text',
	jwt: 'a JSON Web Token'
};

type Issue = z.core.$ZodRawIssue;
type Finalized = z.core.$ZodIssue;

function sizeLimit(issue: { origin?: string; inclusive?: boolean; exact?: boolean }, limit: number | bigint | Date, big: boolean): string {
	const n = typeof limit === 'number' ? limit.toLocaleString('en') : String(limit);
	const bound = issue.exact ? 'exactly' : big ? (issue.inclusive === false ? 'less than' : 'at most') : issue.inclusive === false ? 'more than' : 'at least';
	switch (issue.origin) {
		case 'string':
			return `${bound} ${n} characters`;
		case 'array':
		case 'set':
			return `${bound} ${n} items`;
		default:
			return `${bound} ${n}`;
	}
}

/** A union none of whose options took the value: the choices it allows, or the closest option's complaint. */
function unionMessage(label: string, issue: Extract<Issue, { code: 'invalid_union' }>): string {
	// A discriminated union names its discriminator's values; a union of literals and enums, its values.
	const options = (issue as { options?: unknown[] }).options;
	if (Array.isArray(options) && options.length) return `${label} is one of ${allowedValues(options)}.`;
	const allowed = (issue.inst as z.core.$ZodType | undefined)?._zod.values;
	if (allowed?.size) return `${label} is one of ${allowedValues([...allowed])}.`;
	const branches = (issue.errors ?? []) as Finalized[][];
	const relabel = (message: string) => (message.startsWith(ROOT) ? label + message.slice(ROOT.length) : message);
	// An option the value got inside (an object with a wrong field) knows best what is wrong.
	const deep = branches.flat().find((i) => i.path.length > 0);
	if (deep) return relabel(deep.message);
	// An option of the right type that refused the value itself (too long, not a URL) says why.
	const shaped = branches.flat().find((i) => i.code !== 'invalid_type' && i.code !== 'invalid_value' && i.code !== 'invalid_union');
	if (shaped) return relabel(shaped.message);
	const values = branches.flat().flatMap((i) => (i.code === 'invalid_value' ? i.values : []));
	const types = [...new Set(branches.flat().flatMap((i) => (i.code === 'invalid_type' ? [EXPECTED[i.expected] ?? i.expected] : [])))];
	const choices = values.filter((v) => v !== '');
	const expected = [...types, ...(choices.length ? [`one of ${allowedValues(choices)}`] : []), ...(values.includes('') ? ['empty'] : [])];
	if (!expected.length) return `${label} is not valid.`;
	return `${label} must be ${listOf(expected)}.`;
}

/** The message for an issue its schema left unworded (zod's `customError`). */
export function issueMessage(issue: Issue): string | undefined {
	const label = fieldLabel(issue.path ?? []);
	switch (issue.code) {
		case 'invalid_type':
			if (issue.input === undefined) return `${label} is required.`;
			return `${label} must be ${EXPECTED[issue.expected] ?? issue.expected}, not ${received(issue.input)}.`;
		case 'invalid_value':
			if (issue.values.length === 1) return `${label} must be ${show(issue.values[0]) || 'empty'}.`;
			return `${label} is one of ${allowedValues(issue.values)}.`;
		case 'too_big':
			return `${label} is ${sizeLimit(issue, issue.maximum, true)}.`;
		case 'too_small':
			if (issue.origin === 'string' && Number(issue.minimum) === 1 && issue.inclusive !== false) return `${label} must not be empty.`;
			return `${label} is ${sizeLimit(issue, issue.minimum, false)}.`;
		case 'invalid_format': {
			const format = issue.format;
			if (format === 'regex' && 'pattern' in issue) return `${label} must match ${String(issue.pattern)}.`;
			if (format === 'starts_with' && 'prefix' in issue) return `${label} must start with "${String(issue.prefix)}".`;
			if (format === 'ends_with' && 'suffix' in issue) return `${label} must end with "${String(issue.suffix)}".`;
			if (format === 'includes' && 'includes' in issue) return `${label} must include "${String(issue.includes)}".`;
			return `${label} must be ${FORMATS[format] ?? `a valid ${format}`}.`;
		}
		case 'not_multiple_of':
			return `${label} must be a multiple of ${String(issue.divisor)}.`;
		case 'unrecognized_keys': {
			const shape = (issue.inst as z.core.$ZodObject | undefined)?._zod.def.shape;
			const known = shape ? Object.keys(shape) : [];
			const which = `Unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
			return known.length ? `${which}; the fields are ${listOf(known, 'and')}.` : `${which}; no fields are taken here.`;
		}
		case 'invalid_key':
			return `${label} has a key that is not allowed.`;
		case 'invalid_element':
			return `${label} has a value that is not allowed.`;
		case 'invalid_union':
			return unionMessage(label, issue);
		default:
			return `${label} is not valid.`;
	}
}

z.config({ customError: issueMessage });
