import { error } from '@sveltejs/kit';
import { getMemberByHandle, listDeployments } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { isStorableText } from '#lib/server/platform/text.ts';
import { renderMarkdown } from '#lib/server/platform/markdown.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const handle = event.params.handle;
	// A handle is short and holds no NUL or broken character: anything else names nobody (decision 0013).
	const member = handle.length <= 100 && isStorableText(handle) ? await getMemberByHandle(ctx, handle) : undefined;
	if (!member) error(404, isStorableText(handle) ? `There is no member @${handle.slice(0, 100)}.` : 'There is no member with that handle.');
	const deployments = await listDeployments(ctx, member.id);
	return {
		member,
		bioHtml: member.bio ? renderMarkdown(member.bio) : '',
		deployments,
		isSelf: ctx.actor?.memberId === member.id
	};
};
