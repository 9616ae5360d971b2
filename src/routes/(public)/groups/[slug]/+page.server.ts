import { error } from '@sveltejs/kit';
import {
	acceptInvitation,
	approveRequest,
	declineInvitation,
	declineRequest,
	getGroupPage,
	invite,
	joinOpenGroup,
	leaveGroup,
	removeMember,
	requestToJoin,
	setRole
} from '#lib/server/modules/groups/index.ts';
import { renderMarkdown } from '#lib/server/platform/markdown.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { isStorableText } from '#lib/server/platform/text.ts';
import { formAction } from '#lib/server/platform/http/forms.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	// No group's address holds NUL or a broken character: such an address names no group (decision 0013).
	if (!isStorableText(event.params.slug)) error(404, 'There is no group at this address.');
	const ctx = await ctxOf(event);
	const page = await getGroupPage(ctx, event.params.slug);
	if (!page) error(404, 'There is no group at this address.');
	return { ...page, charterHtml: demoteHeadings(renderMarkdown(page.group.charter)) };
};

/**
 * The charter sits under the page's "Charter" heading (h2): its highest heading becomes h3 and the
 * others keep their distance from it, so the page's outline stays in order whatever level the author began at.
 */
function demoteHeadings(html: string): string {
	const levels = [...html.matchAll(/<h([1-6])(?=[\s>])/g)].map((m) => Number(m[1]));
	if (levels.length === 0) return html;
	const shift = 3 - Math.min(...levels);
	return html.replace(/<(\/?)h([1-6])(?=[\s>])/g, (_match, slash: string, level: string) => `<${slash}h${Math.min(Math.max(Number(level) + shift, 3), 6)}`);
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * Every form on the page posts to one of these; each runs one command (which authorizes itself) and answers a
 * success message, or the error with its field messages and the input kept (formAction).
 */
export const actions: Actions = {
	join: formAction(async (ctx, { slug }) => {
		await joinOpenGroup(ctx, slug);
		return 'Welcome: you are a member of this group.';
	}),
	request: formAction(async (ctx, { slug }, values) => {
		const membership = await requestToJoin(ctx, slug, untrusted({ message: values.message }));
		return membership.state === 'active' ? 'You had been invited, so you are now a member.' : 'You asked to join. A chair or moderator will answer.';
	}),
	accept: formAction(async (ctx, { slug }) => {
		await acceptInvitation(ctx, slug);
		return 'Welcome: you are a member of this group.';
	}),
	declineInvitation: formAction(async (ctx, { slug }) => {
		await declineInvitation(ctx, slug);
		return 'You declined the invitation.';
	}),
	leave: formAction(async (ctx, { slug }) => {
		await leaveGroup(ctx, slug);
		return 'Done: you are no longer part of this group.';
	}),
	approve: formAction(async (ctx, { slug }, values) => {
		const m = await approveRequest(ctx, slug, text(values.handle));
		return `${m.member.displayName} (@${m.member.handle}) is now a member.`;
	}),
	decline: formAction(async (ctx, { slug }, values) => {
		await declineRequest(ctx, slug, text(values.handle));
		return `You declined @${text(values.handle)}'s request.`;
	}),
	invite: formAction(async (ctx, { slug }, values) => {
		const m = await invite(ctx, slug, untrusted(values));
		return m.state === 'active'
			? `@${m.member.handle} had asked to join, so they are now a member.`
			: `You invited ${m.member.displayName} (@${m.member.handle}).`;
	}),
	setRole: formAction(async (ctx, { slug }, values) => {
		const m = await setRole(ctx, slug, text(values.handle), untrusted({ role: values.role }));
		return `@${m.member.handle} is now ${m.role === 'member' ? 'a member' : `a ${m.role}`}.`;
	}),
	remove: formAction(async (ctx, { slug }, values) => {
		await removeMember(ctx, slug, text(values.handle));
		return values.intent === 'withdraw' ? `You withdrew the invitation to @${text(values.handle)}.` : `You removed @${text(values.handle)} from the group.`;
	})
};
