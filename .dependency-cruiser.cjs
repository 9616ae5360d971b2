/**
 * Module boundaries, checked by `npm test` (docs/architecture.md, "Crossing modules").
 * Tests, factories, the test helpers, benchmarks and journeys may reach anywhere: they check the insides.
 */
const CHECKS_INSIDES = '(\\.test\\.ts$|\\.factories\\.ts$|^src/lib/server/testing/|^bench/|^e2e/)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
	forbidden: [
		{
			name: 'kernel-imports-no-module',
			comment: 'platform/ is the kernel: it knows the shape of a module manifest, never a module. Wire modules in src/lib/server/modules.ts.',
			severity: 'error',
			from: { path: '^src/lib/server/platform/', pathNot: CHECKS_INSIDES },
			to: { path: '^src/lib/server/modules(/|\\.ts$)' }
		},
		{
			name: 'module-through-the-front-door',
			comment: "A module uses another module only through that module's index.ts, its deliberate public surface.",
			severity: 'error',
			from: { path: '^src/lib/server/modules/([^/]+)/', pathNot: CHECKS_INSIDES },
			to: { path: '^src/lib/server/modules/[^/]+/', pathNot: ['^src/lib/server/modules/$1/', '^src/lib/server/modules/[^/]+/index\\.ts$'] }
		},
		{
			name: 'doors-through-the-front-door',
			comment: "Routes, hooks and the CLI use a module through its index.ts, and an API route its operation's definition (*.api.ts).",
			severity: 'error',
			from: { pathNot: ['^src/lib/server/modules/', CHECKS_INSIDES] },
			to: { path: '^src/lib/server/modules/[^/]+/.+', pathNot: ['^src/lib/server/modules/[^/]+/index\\.ts$', '^src/lib/server/modules/[^/]+/[^/]+\\.api\\.ts$'] }
		}
	],
	options: {
		doNotFollow: { path: 'node_modules' },
		exclude: { path: '(^node_modules|^\\.svelte-kit|^build/)' },
		tsConfig: { fileName: 'tsconfig.json' },
		tsPreCompilationDeps: true,
		enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'], extensions: ['.ts', '.js', '.svelte'] },
		moduleSystems: ['es6'],
		reporterOptions: { text: { highlightFocused: true } }
	}
};
