import { build, buildIsStale } from '../src/cli/build.ts';

/** The journeys run against the built server, as users get it; build once if sources changed. */
export default function setup() {
	if (buildIsStale()) build();
}
