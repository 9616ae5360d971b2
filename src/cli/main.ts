import { Command, CommanderError } from 'commander';
import { ConfigError } from '#lib/server/platform/config.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { serve } from './serve.ts';
import { migrate } from './migrate.ts';

const program = new Command()
	.name('caucus')
	.description('Caucus: operators and users turn scattered needs into one voice.')
	.showHelpAfterError()
	.exitOverride();

program
	.command('serve')
	.description('Build if needed, migrate the database and serve Caucus (PORT, HOST, DATABASE_URL, CAUCUS_DATA).')
	.option('--no-build', 'serve the existing build even if sources changed')
	.action((options: { build: boolean }) => serve(options));

program
	.command('migrate')
	.description('Apply pending database migrations and exit.')
	.action(() => migrate());

try {
	await program.parseAsync();
} catch (error) {
	if (error instanceof CommanderError) process.exit(error.exitCode);
	if (error instanceof ConfigError) {
		console.error(error.message);
		process.exit(2);
	}
	if (error instanceof AppError) {
		console.error(`caucus: ${error.message}`);
		for (const [field, message] of Object.entries(error.fields)) console.error(`  --${field}: ${message}`);
		process.exit(1);
	}
	console.error(`caucus: ${error instanceof Error ? error.message : String(error)}`);
	process.exit(1);
}
