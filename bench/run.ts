// `npm run bench`: each benchmark seeds its data, drives the built server over loopback and prints its
// figures as ratios to a baseline measured in the same run, plus one `BENCH <name> <value> <unit>` line each.
// BENCH_SCALE=0.1 runs everything at a tenth of the size; `npm run bench -- start` runs only the named ones.
import { build, buildIsStale } from '../src/cli/build.ts';
import { SCALE } from './harness.ts';
import * as start from './start.bench.ts';
import * as needs from './needs.bench.ts';
import * as tally from './tally.bench.ts';
import * as handoff from './handoff.bench.ts';
import * as crash from './crash.bench.ts';

const benchmarks: Record<string, { run(): Promise<void>; needsBuild?: boolean }> = { start, needs, tally, handoff, crash };

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benchmarks));
if (unknown.length) {
	console.error(`Unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(benchmarks).join(', ')}`);
	process.exit(2);
}

console.log(`Caucus benchmarks, scale ${SCALE} (BENCH_SCALE), node ${process.version}`);
// Pure-computation benchmarks (needsBuild: false) run without building the server.
const chosen = Object.keys(benchmarks).filter((name) => !wanted.length || wanted.includes(name));
if (chosen.some((name) => benchmarks[name].needsBuild !== false) && buildIsStale()) {
	console.log('Building the server first…');
	build();
}
for (const [name, benchmark] of Object.entries(benchmarks)) {
	if (wanted.length && !wanted.includes(name)) continue;
	await benchmark.run();
}
