import {
	addComment,
	deleteComment,
	editComment,
	followNeed,
	getNeedPage,
	hideComment,
	loadNeedAccess,
	supportNeed,
	unfollowNeed,
	withdrawSupport
} from '#lib/server/modules/needs/index.ts';
import { listDeployments } from '#lib/server/modules/members/index.ts';
import { listHandoffsOfNeed } from '#lib/server/modules/handoff/index.ts';
import {
	acceptInvitation,
	declineInvitation,
	getNeedChampions,
	inviteChampion,
	linkChange,
	removeChampion,
	setChangeState,
	unlinkChange,
	volunteer,
	withdraw,
	withdrawInvitation
} from '#lib/server/modules/champions/index.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formAction } from '#lib/server/platform/http/forms.ts';
import { requireConfirmed } from '#lib/server/platform/http/confirm.ts';
import { parseId } from '#lib/ids.ts';
import type { Actions, PageServerLoad } from './$types';

// Every control on the page is a plain form: no JavaScript is shipped.

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const id = event.params.id;
	// The page asks whether the reader may see the need once, and hands the answer (with the reader's
	// abilities) to each module's part; the parts then load side by side.
	const access = await loadNeedAccess(ctx, id);
	const [page, champions, handoffs, deployments] = await Promise.all([
		getNeedPage(ctx, access),
		getNeedChampions(ctx, access),
		listHandoffsOfNeed(ctx, access),
		ctx.actor
			? listDeployments(ctx, ctx.actor.memberId).then((list) => list.map((d) => ({ id: d.id, name: d.name, nodes: d.nodes, instances: d.instances })))
			: []
	]);
	if (ctx.actor) event.setHeaders({ 'cache-control': 'private, no-store' });
	return { page, deployments, champions, handoffs, filed: event.url.searchParams.get('filed') === '1' };
};

const text = (value: unknown) => (typeof value === 'string' ? value : '');
// A form's id that is not an id names nothing: the command answers "not found".
const commentId = (values: Record<string, unknown>) => parseId(values.commentId) ?? 0;
const changeId = (values: Record<string, unknown>) => parseId(values.changeId) ?? 0;

/**
 * Every form on the page posts to one of these; each runs one command (which authorizes itself) and
 * answers with a message, or the error with its field messages and the input kept. `intent` tells the
 * page which form the answer belongs to (a comment's forms add its id).
 */
const act = (run: (ctx: Ctx, id: number, values: Record<string, unknown>) => Promise<string>) =>
	formAction<{ id: number }>((ctx, params, values) => run(ctx, params.id, values));

export const actions: Actions = {
	support: act(async (ctx, id, values) => {
		const state = await supportNeed(ctx, id, untrusted(values));
		return state.redirectedFrom
			? `You support #${state.needId}, the need this one was merged into.`
			: values.intent === 'evidence'
				? 'Your evidence is saved.'
				: 'You support this need.';
	}),
	withdraw: act(async (ctx, id) => {
		await withdrawSupport(ctx, id);
		return 'You no longer support this need.';
	}),
	follow: act(async (ctx, id) => {
		await followNeed(ctx, id);
		return 'You follow this need.';
	}),
	unfollow: act(async (ctx, id) => {
		await unfollowNeed(ctx, id);
		return 'You no longer follow this need.';
	}),
	comment: act(async (ctx, id, values) => {
		await addComment(ctx, id, untrusted(values));
		return 'Your comment is posted.';
	}),
	editComment: act(async (ctx, id, values) => {
		await editComment(ctx, commentId(values), untrusted(values), { needId: id });
		return 'Your comment is changed.';
	}),
	deleteComment: act(async (ctx, id, values) => {
		requireConfirmed(values, 'a deleted comment’s words are never shown again.');
		await deleteComment(ctx, commentId(values), { needId: id });
		return 'The comment is deleted.';
	}),
	hideComment: act(async (ctx, id, values) => {
		await hideComment(ctx, commentId(values), untrusted(values), { needId: id });
		return 'The comment is hidden.';
	}),
	// Champions and upstream changes (ChampionsSection.svelte).
	volunteer: act(async (ctx, id, values) => {
		const row = await volunteer(ctx, id, untrusted(values));
		return `You are this need’s ${row.role} now; its followers are told.`;
	}),
	withdrawChampion: act(async (ctx, id) => {
		const row = await withdraw(ctx, id);
		return `You are no longer this need’s ${row.role}.`;
	}),
	removeChampion: act(async (ctx, id, values) => {
		await removeChampion(ctx, id, text(values.handle), untrusted(values));
		return 'Removed; they are told why.';
	}),
	inviteChampion: act(async (ctx, id, values) => {
		const invitation = await inviteChampion(ctx, id, untrusted(values));
		return `@${invitation.member.handle} is asked to ${invitation.role === 'sponsor' ? 'sponsor' : 'champion'} this need; they are told.`;
	}),
	withdrawInvitation: act(async (ctx, id, values) => {
		const invitation = await withdrawInvitation(ctx, id, text(values.handle));
		return `The invitation to @${invitation.member.handle} is withdrawn.`;
	}),
	acceptInvitation: act(async (ctx, id, values) => {
		const row = await acceptInvitation(ctx, id, untrusted(values));
		return `You are this need’s ${row.role} now; its followers are told.`;
	}),
	declineInvitation: act(async (ctx, id) => {
		await declineInvitation(ctx, id);
		return 'You declined; whoever asked you is told.';
	}),
	linkChange: act(async (ctx, id, values) => {
		// A blank state is the default (open).
		await linkChange(ctx, id, untrusted({ ...values, state: values.state || undefined }));
		return 'The change is linked.';
	}),
	changeState: act(async (ctx, _id, values) => {
		await setChangeState(ctx, changeId(values), untrusted(values));
		return 'The change’s state is updated.';
	}),
	unlinkChange: act(async (ctx, _id, values) => {
		await unlinkChange(ctx, changeId(values));
		return 'The change is unlinked.';
	})
};
