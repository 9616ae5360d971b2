import { listMembers } from '#lib/server/modules/members/index.ts';
import { listMembersOperation, memberJson } from '#lib/server/modules/members/members.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listMembersOperation, async ({ query }, ctx) => {
	const { members, next } = await listMembers(ctx, { query: query.q, segment: query.segment, after: query.after, limit: query.limit });
	return { members: members.map(memberJson), next };
});
