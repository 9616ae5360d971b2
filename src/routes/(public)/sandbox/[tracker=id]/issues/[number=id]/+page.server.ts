import { getSandboxIssue, moveSandboxIssue, SANDBOX_STATE_WORDS } from '#lib/server/modules/handoff/index.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formAction } from '#lib/server/platform/http/forms.ts';
import { renderMarkdown } from '#lib/server/platform/markdown.ts';
import type { Actions, PageServerLoad } from './$types';

/*
 * A sandbox issue (decision 0020): what the handoff sent, rendered as a tracker would, its history, the needs
 * it stands for, and for those who may hand those needs a form to play the developers.
 */

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const { tracker, issue } = await getSandboxIssue(ctx, event.params.tracker, event.params.number);
	if (ctx.actor) event.setHeaders({ 'cache-control': 'private, no-store' });
	return { tracker, issue, bodyHtml: renderMarkdown(issue.body), states: Object.entries(SANDBOX_STATE_WORDS).map(([value, label]) => ({ value, label })) };
};

export const actions: Actions = {
	move: formAction<{ tracker: number; number: number }>(async (ctx, params, values) => {
		const issue = await moveSandboxIssue(ctx, params.tracker, params.number, untrusted(values));
		return `Issue #${issue.number} is now “${issue.stateWord}”${issue.milestone ? ` (${issue.milestone})` : ''}. Caucus reads it at its next sync, every 15 minutes; “Sync now” shows it on the need at once.`;
	})
};
