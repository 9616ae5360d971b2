import { error } from '@sveltejs/kit';
import { getMemberByHandle, listDeployments } from '#lib/server/modules/members/index.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { renderMarkdown } from '#lib/server/platform/markdown.ts';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async (event) => {
	const ctx = await ctxOf(event);
	const member = event.params.handle.length <= 100 ? await getMemberByHandle(ctx, event.params.handle) : undefined;
	if (!member) error(404, `There is no member @${event.params.handle.slice(0, 100)}.`);
	const deployments = await listDeployments(ctx, member.id);
	return {
		member,
		bioHtml: member.bio ? renderMarkdown(member.bio) : '',
		deployments,
		isSelf: ctx.actor?.memberId === member.id
	};
};
