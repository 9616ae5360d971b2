import type { TrackerProvider } from '../handoff.tables.ts';
import type { TrackerProviderImpl } from './provider.ts';
import { github } from './github.ts';
import { gitlab } from './gitlab.ts';
import { jira } from './jira.ts';
import { launchpad } from './launchpad.ts';
import { specs } from './specs.ts';
import { storyboard } from './storyboard.ts';
import { sandbox } from './sandbox.ts';

/** Every tracker provider, by name; one file each beside this one. */
export const PROVIDERS: Partial<Record<TrackerProvider, TrackerProviderImpl>> = {
	github,
	gitlab,
	jira,
	launchpad,
	storyboard,
	specs,
	sandbox
};
