import type { Forge } from './champions.tables.ts';

/** What an upstream change address says: which forge, project and number, and how to name it. */
export interface ChangeRef {
	forge: Forge;
	host: string;
	project: string;
	number: number;
	/** The address as stored: the change's own page, without query, fragment or trailing file paths. */
	url: string;
}

export const CHANGE_URL_MAX = 2000;

const NUMBER = /^[1-9]\d{0,11}$/;
const SEGMENT = /^[A-Za-z0-9._~%+-]+$/;

function projectOf(segments: string[]): string | null {
	if (!segments.length || !segments.every((s) => SEGMENT.test(s) && s !== '.' && s !== '..')) return null;
	return segments.map((s) => decodeURIComponent(s)).join('/');
}

/**
 * Recognises a Gerrit change (https://review.opendev.org/c/openstack/nova/+/912345, the older
 * https://review.opendev.org/#/c/912345/ and /c/912345), a GitHub pull request
 * (https://github.com/owner/repo/pull/12) or a GitLab merge request (https://gitlab.com/group/project/-/merge_requests/7,
 * on any GitLab host). Anything else is not an upstream change: null.
 */
export function parseChangeUrl(input: string): ChangeRef | null {
	let url: URL;
	try {
		url = new URL(input.trim());
	} catch {
		return null;
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
	if (url.username || url.password) return null;
	const host = url.host.toLowerCase();
	const origin = `${url.protocol}//${host}`;
	const path = url.pathname.split('/').filter(Boolean);

	// Gerrit's old single-page links keep the change in the fragment: /#/c/12345/ or /#/c/project/+/12345.
	if ((path.length === 0 || (path.length === 1 && path[0] === 'r')) && url.hash.startsWith('#/c/')) {
		const inner = url.hash.slice(4).split('/').filter(Boolean);
		return gerrit(origin, host, inner);
	}
	if (host === 'github.com' || host === 'www.github.com') {
		if (path.length >= 4 && path[2] === 'pull' && NUMBER.test(path[3])) {
			const project = projectOf(path.slice(0, 2));
			if (!project) return null;
			return { forge: 'github', host: 'github.com', project, number: Number(path[3]), url: `https://github.com/${project}/pull/${path[3]}` };
		}
		return null;
	}
	const mr = path.indexOf('-');
	if (mr >= 1 && path[mr + 1] === 'merge_requests' && NUMBER.test(path[mr + 2] ?? '')) {
		const project = projectOf(path.slice(0, mr));
		if (!project) return null;
		return { forge: 'gitlab', host, project, number: Number(path[mr + 2]), url: `${origin}/${project}/-/merge_requests/${path[mr + 2]}` };
	}
	if (path[0] === 'c') return gerrit(origin, host, path.slice(1));
	return null;
}

/** `rest` is what follows /c/: either <n>[/...] or <project...>/+/<n>[/...]. */
function gerrit(origin: string, host: string, rest: string[]): ChangeRef | null {
	if (rest.length >= 1 && NUMBER.test(rest[0])) {
		return { forge: 'gerrit', host, project: '', number: Number(rest[0]), url: `${origin}/c/${rest[0]}` };
	}
	const plus = rest.indexOf('+');
	if (plus < 1 || !NUMBER.test(rest[plus + 1] ?? '')) return null;
	const project = projectOf(rest.slice(0, plus));
	if (!project) return null;
	return { forge: 'gerrit', host, project, number: Number(rest[plus + 1]), url: `${origin}/c/${project}/+/${rest[plus + 1]}` };
}

/** How pages name a change: "Gerrit change 912345", "PR #12", "MR !7". */
export function changeLabel(ref: Pick<ChangeRef, 'forge' | 'number'>): string {
	if (ref.forge === 'gerrit') return `Gerrit change ${ref.number}`;
	if (ref.forge === 'github') return `PR #${ref.number}`;
	return `MR !${ref.number}`;
}
