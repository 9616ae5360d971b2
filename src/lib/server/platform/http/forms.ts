import { fail, redirect, type ActionFailure, type RequestEvent } from '@sveltejs/kit';
import type { Ctx } from '../context.ts';
import { ctxOf } from './context.ts';
import { redirectWithFlash } from './flash.ts';
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

/** What a form action's work may answer: a success message, a place to go next, or nothing. */
export type FormOutcome = string | { redirect: string } | void;

/**
 * One form action: reads the form, runs `work` (one command, which authorizes itself) through runForm, and
 * answers 303 back to the page with the message as a flash (post/redirect/get), 303 to `{ redirect }`, or the failure with its field
 * messages and the input kept. The hidden `intent` field tells the page which of its forms the answer is
 * for (answerOf in $lib/forms/answer.ts).
 */
export function formAction<Params extends object>(
	work: (ctx: Ctx, params: Params, values: Record<string, unknown>) => Promise<FormOutcome>,
	options: { arrays?: readonly string[] } = {}
) {
	return async (event: Pick<RequestEvent, 'locals' | 'request' | 'cookies' | 'url'> & { params: Params }) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData(), options.arrays);
		const result = await runForm(values, () => work(ctx, event.params, values));
		if (result && typeof result === 'object' && 'redirect' in result) redirect(303, result.redirect);
		if (typeof result === 'string') redirectWithFlash(event, { success: result, intent: typeof values.intent === 'string' ? values.intent : '' });
		return result || undefined;
	};
}
