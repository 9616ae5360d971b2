/**
 * What a page makes of its form action's answer (`form`), the one way every page reads it.
 *
 * A failed action answers `{ message, fields, values }` (runForm in platform/http/forms.ts): the message,
 * a message per field and what the user typed (minus secrets). A page with several forms names each with a
 * hidden `intent` field; the answer then belongs to the form whose intent it carries, and the others show
 * nothing. A successful action answers `{ success, intent }` (formAction) or the page's own fields.
 *
 * Use it derived, so it follows each new answer: `const answer = $derived(answerOf(form));` then
 * `value={answer.kept('create').slug} error={answer.errors('create').slug}`, or without intents
 * `answer.kept().slug`.
 */

export interface FailureAnswer {
	message: string;
	fields?: Record<string, string>;
	values?: Record<string, unknown>;
}

export interface Answer {
	/** The failure, if the last action failed. */
	failure: FailureAnswer | null;
	/** The success message, if the action answered one. */
	success: string | null;
	/** The intent the failure came from ('' for a form without one). */
	failedIntent: string;
	/** Whether the last action's failure came from the form with this intent. */
	failed(intent?: string): boolean;
	/** What the user typed in the form with this intent, when it failed; {} otherwise. */
	kept(intent?: string): Record<string, unknown>;
	/** What the user typed when the form (with this intent) failed; the fallback (the stored values) otherwise. */
	keptOr<T>(fallback: T, intent?: string): Record<string, unknown> | T;
	/** The field messages of the form with this intent, when it failed; {} otherwise. */
	errors(intent?: string): Record<string, string>;
	/** One kept field as text, or the fallback (the stored value) when the form did not fail. */
	value(intent: string | undefined, name: string, fallback?: string): string;
	/** The failure, for the form with this intent only (to hand to FormMessage). */
	failureOf(intent?: string): FailureAnswer | null;
}

const isFailure = (form: unknown): form is FailureAnswer =>
	typeof form === 'object' && form !== null && typeof (form as { message?: unknown }).message === 'string' && !!(form as { message: string }).message;

export function answerOf(form: unknown): Answer {
	const failure = isFailure(form) ? form : null;
	const success =
		typeof form === 'object' && form !== null && typeof (form as { success?: unknown }).success === 'string' ? (form as { success: string }).success : null;
	const failedIntent = failure ? String(failure.values?.intent ?? '') : '';
	const failed = (intent?: string) => !!failure && (intent === undefined || failedIntent === intent);
	const kept = (intent?: string) => (failed(intent) ? (failure!.values ?? {}) : {});
	return {
		failure,
		success,
		failedIntent,
		failed,
		kept,
		keptOr: (fallback, intent) => (failed(intent) ? (failure!.values ?? {}) : fallback),
		errors: (intent) => (failed(intent) ? (failure!.fields ?? {}) : {}),
		value: (intent, name, fallback = '') => {
			const v = kept(intent)[name];
			return typeof v === 'string' ? v : fallback;
		},
		failureOf: (intent) => (failed(intent) ? failure : null)
	};
}
