#!/usr/bin/env node
// The caucus command. It runs on the Node.js 22 that the repository installs (the npm `node` package),
// whichever Node started it, because the CLI is TypeScript run by Node 22's type stripping.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const major = Number(process.versions.node.split('.')[0]);
if (major !== 22) {
	const bundled = fileURLToPath(new URL('../node_modules/node/bin/node', import.meta.url));
	if (!existsSync(bundled)) {
		console.error(`caucus needs Node.js 22 (this is ${process.version}). Run "npm ci" first: it installs Node.js 22 into node_modules.`);
		process.exit(1);
	}
	const child = spawn(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
	for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP'])) process.on(signal, () => child.kill(signal));
	child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
	await import('../src/cli/main.ts');
}
