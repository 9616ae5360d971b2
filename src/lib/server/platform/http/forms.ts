import { fail, type ActionFailure } from '@sveltejs/kit';
import { appErrorOf, statusOf, type FieldErrors } from '../errors.ts';
import { unstorableFields } from '../text.ts';

export interface FormFailure {
	message: string;
	fields: FieldErrors;
	/** What the user typed, minus secrets, so the form comes back as they left it. */
	values: Record<string, unknown>;
}

const SECRET_FIELDS = /password|secret|token/i;

/**
 * Reads a form into a plain object. Checkbox groups and multi-selects named in `arrays` become arrays;
 * everything else keeps its last value.
 */
export function formValues(data: FormData, arrays: readonly string[] = []): Record<string, unknown> {
	const values: Record<string, unknown> = {};
	for (const key of new Set(data.keys())) {
		const all = data.getAll(key).filter((v): v is string => typeof v === 'string');
		values[key] = arrays.includes(key) ? all : all.at(-1);
	}
	for (const key of arrays) values[key] ??= [];
	return values;
}

/** Runs a form's command; an expected error goes back to the form with field messages and the input kept. */
export async function runForm<T>(values: Record<string, unknown>, work: () => Promise<T>): Promise<T | ActionFailure<FormFailure>> {
	const kept = () => Object.fromEntries(Object.entries(values).filter(([key]) => !SECRET_FIELDS.test(key)));
	// The schemas refuse NUL by field; this catches a field no schema reads as text (decision 0013).
	const unstorable = unstorableFields(values);
	if (Object.keys(unstorable).length) return fail(400, { message: 'Some fields need another look.', fields: unstorable, values: kept() });
	try {
		return await work();
	} catch (error) {
		const known = appErrorOf(error);
		if (!known) throw error;
		return fail(statusOf(known.code), { message: known.message, fields: known.fields, values: kept() });
	}
}
