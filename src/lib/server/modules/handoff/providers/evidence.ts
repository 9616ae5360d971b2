import type { NeedEvidence } from './provider.ts';
import { escapeMarkdown as md } from './markup.ts';

/*
 * The evidence a draft carries, written once as Markdown fragments; each provider converts them to its tracker's
 * markup with convertMarkdown() and arranges them in its own order (a Jira issue, a Launchpad bug, a spec's sections).
 */

const number = new Intl.NumberFormat('en-US');

function count(n: number, one: string, many: string): string {
	return `${number.format(n)} ${n === 1 ? one : many}`;
}

/** "42 people from 17 organizations support this need, running 23 deployments (1,200 nodes, 30,000 instances)." */
export function supportSentence(evidence: NeedEvidence): string {
	const s = evidence.support;
	let sentence = `**${count(s.people, 'person', 'people')}** from **${count(s.organizations, 'organization', 'organizations')}** support this need`;
	if (s.deployments > 0) {
		const sizes = [s.nodes > 0 ? count(s.nodes, 'node', 'nodes') : null, s.instances > 0 ? count(s.instances, 'instance', 'instances') : null].filter(Boolean);
		sentence += `, running **${count(s.deployments, 'deployment', 'deployments')}**${sizes.length ? ` (${sizes.join(', ')})` : ''}`;
	}
	return `${sentence}.`;
}

export function segmentTable(evidence: NeedEvidence): string | null {
	const rows = evidence.support.bySegment.filter((row) => row.people > 0);
	if (rows.length === 0) return null;
	return ['| Segment | People |', '| --- | ---: |', ...rows.map((row) => `| ${md(row.label)} | ${number.format(row.people)} |`)].join('\n');
}

export function deploymentTable(evidence: NeedEvidence): string | null {
	if (evidence.deployments.length === 0) return null;
	const cell = (n: number | null) => (n === null ? '' : number.format(n));
	return [
		'| Deployment | Organization | Nodes | Instances | Releases |',
		'| --- | --- | ---: | ---: | --- |',
		...evidence.deployments.map(
			(d) => `| ${md(d.name)} | ${md(d.organization ?? '')} | ${cell(d.nodes)} | ${cell(d.instances)} | ${md(d.releases.join(', '))} |`
		)
	].join('\n');
}

export function impactList(evidence: NeedEvidence): string | null {
	if (evidence.impacts.length === 0) return null;
	return evidence.impacts.map((impact) => `- **${md(impact.member)}**: ${md(impact.note)}`).join('\n');
}

export function sessionList(evidence: NeedEvidence): string | null {
	if (evidence.sessions.length === 0) return null;
	return evidence.sessions.map((session) => `- [${md(session.title)}](<${session.url}>)`).join('\n');
}

export function surveyTable(evidence: NeedEvidence): string | null {
	if (evidence.surveyFigures.length === 0) return null;
	return [
		'| Survey figure | Value |',
		'| --- | --- |',
		...evidence.surveyFigures.map((f) => `| ${f.url ? `[${md(f.label)}](<${f.url}>)` : md(f.label)} | ${md(f.value)} |`)
	].join('\n');
}

export function prioritySentence(evidence: NeedEvidence): string | null {
	const p = evidence.priority;
	if (!p) return null;
	return `Ranked **${p.rank} of ${p.of}** in [${md(p.list)}](<${p.url}>).`;
}

/** Components, releases and tags the need was filed under, as one line. */
export function contextLine(evidence: NeedEvidence): string | null {
	const need = evidence.need;
	const parts = [
		need.components.length ? `Components: ${md(need.components.join(', '))}` : null,
		need.releases.length ? `Releases: ${md(need.releases.join(', '))}` : null,
		need.tags.length ? `Tags: ${md(need.tags.join(', '))}` : null,
		need.group ? `Group: ${md(need.group)}` : null
	].filter(Boolean);
	return parts.length ? parts.join('. ') + '.' : null;
}

export function backLink(evidence: NeedEvidence): string {
	return `Handed upstream from Caucus, where operators follow it: [need #${evidence.need.id}: ${md(evidence.need.title)}](<${evidence.need.url}>). Changes to this item are synced back to the need.`;
}

/** The evidence as titled Markdown sections, in the order a tracker issue shows them. */
export function evidenceSections(evidence: NeedEvidence): { title: string; markdown: string }[] {
	const sections: { title: string; markdown: string }[] = [];
	const support = [supportSentence(evidence), segmentTable(evidence)].filter(Boolean).join('\n\n');
	sections.push({ title: 'Who needs this', markdown: support });
	const deployments = deploymentTable(evidence);
	if (deployments) sections.push({ title: 'Affected deployments', markdown: deployments });
	const impacts = impactList(evidence);
	if (impacts) sections.push({ title: 'Impact reported by supporters', markdown: impacts });
	const priority = prioritySentence(evidence);
	if (priority) sections.push({ title: 'Priority', markdown: priority });
	const sessions = sessionList(evidence);
	if (sessions) sections.push({ title: 'Discussed at', markdown: sessions });
	const survey = surveyTable(evidence);
	if (survey) sections.push({ title: 'Survey figures', markdown: survey });
	const context = contextLine(evidence);
	sections.push({ title: 'Follow-up', markdown: [context, backLink(evidence)].filter(Boolean).join('\n\n') });
	return sections;
}

/** A short, URL-safe name: "Live-migrate with vGPUs!" → "live-migrate-with-vgpus". */
export function slugify(text: string, maxLength = 60): string {
	const slug = text
		.normalize('NFKD')
		.replace(/[\u0300-\u036f]/g, '')
		.toLowerCase()
		.replace(/[^a-z0-9]+/g, '-')
		.replace(/^-+|-+$/g, '');
	return slug.slice(0, maxLength).replace(/-+$/g, '') || 'need';
}
