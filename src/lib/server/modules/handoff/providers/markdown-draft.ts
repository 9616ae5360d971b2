import type { NeedEvidence } from './provider.ts';

/*
 * The evidence of a need written as Markdown, for trackers that render it (GitHub, GitLab). The need's
 * own words come first, then the operators' evidence, then a link back so developers can ask.
 */

const n = (value: number) => value.toLocaleString('en-US');
const cell = (value: string) => value.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function evidenceMarkdown(evidence: NeedEvidence): string {
	const { need, support } = evidence;
	const out: string[] = [];
	out.push(need.body.trim() || '_The need has no description beyond its title._', '');
	out.push('## Evidence from operators', '');
	const segments = support.bySegment.map((s) => `${s.label.toLowerCase()} ${n(s.people)}`).join(', ');
	out.push(
		`- **Supporters:** ${n(support.people)} ${support.people === 1 ? 'person' : 'people'} from ${n(support.organizations)} ${support.organizations === 1 ? 'organization' : 'organizations'}${segments ? ` (${segments})` : ''}`
	);
	if (support.deployments) {
		out.push(`- **Deployments affected:** ${n(support.deployments)}, with ${n(support.nodes)} nodes and ${n(support.instances)} instances in all`);
	}
	if (evidence.priority)
		out.push(`- **Priority:** [${evidence.priority.list}: rank ${evidence.priority.rank} of ${evidence.priority.of}](${evidence.priority.url})`);
	if (need.group) out.push(`- **Group:** ${need.group}`);
	if (need.components.length) out.push(`- **Components:** ${need.components.join(', ')}`);
	if (need.releases.length) out.push(`- **Releases:** ${need.releases.join(', ')}`);
	if (evidence.deployments.length) {
		out.push('', '### Affected deployments', '', '| Deployment | Organization | Nodes | Instances | Releases |', '| --- | --- | ---: | ---: | --- |');
		for (const d of evidence.deployments) {
			out.push(
				`| ${cell(d.name)} | ${cell(d.organization ?? '')} | ${d.nodes === null ? '' : n(d.nodes)} | ${d.instances === null ? '' : n(d.instances)} | ${cell(d.releases.join(', '))} |`
			);
		}
	}
	if (evidence.impacts.length) {
		out.push('', '### Impact, in operators’ words', '');
		for (const i of evidence.impacts) out.push(`> ${i.note.trim().replace(/\n+/g, ' ')}`, `> — ${i.member}`, '');
	}
	if (evidence.sessions.length) {
		out.push('', '### Discussed at', '');
		for (const s of evidence.sessions) out.push(`- [${s.title}](${s.url})`);
	}
	if (evidence.surveyFigures.length) {
		out.push('', '### Survey figures', '');
		for (const f of evidence.surveyFigures) out.push(`- ${f.label}: ${f.value}${f.url ? ` ([source](${f.url}))` : ''}`);
	}
	out.push('', '---', `Handed upstream from Caucus: [need #${need.id}](${need.url}). Supporters follow this issue’s state there.`);
	return out.join('\n').replace(/\n{3,}/g, '\n\n');
}
