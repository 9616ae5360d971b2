import { fail, type ActionFailure } from '@sveltejs/kit';
import { AppError, statusOf, type FieldErrors } from '../errors.ts';

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
	try {
		return await work();
	} catch (error) {
		if (!(error instanceof AppError)) throw error;
		const kept = Object.fromEntries(Object.entries(values).filter(([key]) => !SECRET_FIELDS.test(key)));
		return fail(statusOf(error.code), { message: error.message, fields: error.fields, values: kept });
	}
}
