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
import {
	getTriageQueue,
	STATUS_REASON_RULE,
	statusEffect,
	triageMany,
	TRIAGE_QUEUE_LABELS,
	TRIAGE_QUEUE_NAMES,
	TRIAGE_QUEUES
} from '#lib/server/modules/needs/index.ts';
import { renderMarkdown } from '#lib/server/platform/markdown.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { isStorableText } from '#lib/server/platform/text.ts';
import { formAction } from '#lib/server/platform/http/forms.ts';
import { requireConfirmed } from '#lib/server/platform/http/confirm.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	// No group's address holds NUL or a broken character: such an address names no group (decision 0013).
	if (!isStorableText(event.params.slug)) error(404, 'There is no group at this address.');
	const ctx = await ctxOf(event);
	const page = await getGroupPage(ctx, event.params.slug);
	if (!page) error(404, 'There is no group at this address.');
	// The triage queue, for those who may triage the group's needs (null for everyone else).
	const { searchParams } = event.url;
	const queue = await getTriageQueue(
		ctx,
		{ group: page.group, membership: page.myMembership },
		{ queue: searchParams.get('queue'), from: searchParams.get('from') }
	);
	const from = queue ? TRIAGE_QUEUES[queue.queue][0] : null;
	return {
		...page,
		charterHtml: demoteHeadings(renderMarkdown(page.group.charter)),
		triage: queue && {
			...queue,
			tabs: TRIAGE_QUEUE_NAMES.map((name) => ({ name, label: TRIAGE_QUEUE_LABELS[name], count: queue.counts[name] })),
			// What accepting or declining does to this tab's needs, and the rule for the one reason given for all.
			effects: { accept: statusEffect(from!, 'accepted'), decline: statusEffect(from!, 'declined') },
			reasonRule: STATUS_REASON_RULE,
			selectAll: searchParams.get('select') === 'all'
		}
	};
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
const numbered = (ids: readonly number[]) => {
	const named = ids.map((id) => `#${id}`);
	return named.length <= 1 ? named.join('') : `${named.slice(0, -1).join(', ')} and ${named.at(-1)}`;
};
const needs = (n: number) => `${n} ${n === 1 ? 'need' : 'needs'}`;

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
	// The triage queue's bulk form: the chosen action (the `bulk` radio) on every ticked need, all or nothing.
	triage: formAction(
		async (ctx, { slug }, values) => {
			const result = await triageMany(ctx, slug, untrusted({ ...values, action: values.bulk }));
			const ids = result.needs.map((n) => n.id);
			const unchanged = ids.filter((id) => !result.changedIds.includes(id));
			const already = unchanged.length ? ` ${numbered(unchanged)} already had it.` : '';
			switch (result.action) {
				case 'accept':
					return `Accepted ${needs(ids.length)}: ${numbered(ids)}.`;
				case 'decline':
					return `Declined ${needs(ids.length)}: ${numbered(ids)}.`;
				case 'tag':
					return `Tagged ${needs(result.changedIds.length)} “${text(values.tag).trim().toLowerCase()}”.${already}`;
				case 'component':
					return `Added the component to ${needs(result.changedIds.length)}.${already}`;
			}
		},
		{ arrays: ['needIds'] }
	),
	remove: formAction(async (ctx, { slug }, values) => {
		requireConfirmed(values, 'a removed member loses their role and, in a closed group, sight of its work.');
		await removeMember(ctx, slug, text(values.handle));
		return `You removed @${text(values.handle)} from the group.`;
	}),
	// Withdrawing an invitation takes one step: nobody loses anything they had.
	withdrawInvitation: formAction(async (ctx, { slug }, values) => {
		await removeMember(ctx, slug, text(values.handle));
		return `You withdrew the invitation to @${text(values.handle)}.`;
	})
};
