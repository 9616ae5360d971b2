import { redirect } from '@sveltejs/kit';
import { fileNeed, listComponents, mayFileNeed, similarNeeds } from '#lib/server/modules/needs/index.ts';
import { listGroups } from '#lib/server/modules/groups/index.ts';
import { listDeployments } from '#lib/server/modules/members/index.ts';
import type { Ctx } from '#lib/server/platform/context.ts';
import { untrusted } from '#lib/server/platform/errors.ts';
import { ctxOf } from '#lib/server/platform/http/context.ts';
import { formValues, runForm } from '#lib/server/platform/http/forms.ts';
import type { Actions, PageServerLoad } from './$types';

/** JavaScript improves this page: similar needs are suggested while the title is typed. */
export const csr = true;

const count = (n: number | null, one: string, many: string) => (n === null ? null : `${n.toLocaleString('en')} ${n === 1 ? one : many}`);
const deploymentSize = (d: { nodes: number | null; instances: number | null }) =>
	[count(d.nodes, 'node', 'nodes'), count(d.instances, 'instance', 'instances')].filter(Boolean).join(', ');

/** Groups the actor may file into: open groups, and closed groups they are an active member of. */
async function fileableGroups(ctx: Ctx) {
	const groups = await listGroups(ctx);
	return groups.filter((g) => mayFileNeed(ctx.actor, g, g.myMembership)).map((g) => ({ id: g.id, name: g.name, visibility: g.visibility, slug: g.slug }));
}

export const load: PageServerLoad = async (event) => {
	if (!event.locals.actor) redirect(303, `/signin?next=${encodeURIComponent(event.url.pathname + event.url.search)}`);
	const ctx = await ctxOf(event);
	const [components, groups, deployments] = await Promise.all([listComponents(ctx), fileableGroups(ctx), listDeployments(ctx, event.locals.actor.memberId)]);
	// /needs/new?group=<slug> starts in that group, e.g. from a group's page.
	const asked = event.url.searchParams.get('group');
	const group = groups.find((g) => g.slug === asked);
	return {
		components: components.map((c) => ({ slug: c.slug, name: c.name })),
		groups: groups.map(({ id, name, visibility }) => ({ id, name, visibility })),
		deployments: deployments.map((d) => ({ id: d.id, name: d.name, size: deploymentSize(d) })),
		initial: { title: event.url.searchParams.get('title') ?? '', groupId: group ? String(group.id) : '' }
	};
};

export const actions: Actions = {
	/**
	 * Files the need. The first submit that finds similar needs shows them instead, with a "File it
	 * anyway" button (confirmed=1); it never blocks filing. With JavaScript the page has already shown
	 * suggestions as the title was typed, and says so with confirmed=1.
	 */
	default: async (event) => {
		const ctx = await ctxOf(event);
		const values = formValues(await event.request.formData(), ['components']);
		if (values.confirmed !== '1' && typeof values.title === 'string') {
			const similar = await similarNeeds(ctx, values.title, { limit: 5 });
			if (similar.length) return { similar, values: { ...values, confirmed: '1' } };
		}
		const result = await runForm(values, () => fileNeed(ctx, untrusted(values)));
		if ('id' in result) redirect(303, `/needs/${result.id}?filed=1`);
		return result;
	}
};
