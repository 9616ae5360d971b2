import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError, MAX_WORKERS } from '#lib/server/platform/config.ts';
import { AppError } from '#lib/server/platform/errors.ts';
import { serve } from './serve.ts';
import { migrate } from './migrate.ts';
import { adminCreate, adminResetLink, adminSet } from './admin.ts';
import { seedDemo } from './seed.ts';
import { runningServer, withDatabase } from './database.ts';
import { commands } from '#lib/server/modules.ts';

const program = new Command()
	.name('caucus')
	.description('Caucus: operators and users turn scattered needs into one voice.')
	.showHelpAfterError()
	.exitOverride();

program
	.command('serve')
	.description('Build if needed, migrate the database and serve Caucus (PORT, HOST, DATABASE_URL, CAUCUS_DATA).')
	.option('--no-build', 'serve the existing build even if sources changed')
	.option(
		'--workers <n>',
		'HTTP worker processes (overrides CAUCUS_WORKERS; default one per CPU up to 8 on PostgreSQL, 1 on the embedded database)',
		(value: string) => {
			const n = Number(value);
			if (!/^\d+$/.test(value.trim()) || n < 1 || n > MAX_WORKERS) throw new InvalidArgumentError(`must be a whole number from 1 to ${MAX_WORKERS}.`);
			return n;
		}
	)
	.action((options: { build: boolean; workers?: number }) => serve(options));

program
	.command('migrate')
	.description('Apply pending database migrations and exit.')
	.action(() => migrate());

program
	.command('seed')
	.description('Fill an empty database with data.')
	.requiredOption('--demo', 'a small, believable community: members, deployments, groups, needs')
	.action(() => seedDemo());

const admin = program.command('admin').description('Manage site administrators and members’ access.');
admin
	.command('create')
	.description('Create an administrator account (asks for the password unless --password is given).')
	.requiredOption('--email <email>', 'e-mail address')
	.requiredOption('--handle <handle>', 'unique handle, e.g. ada')
	.requiredOption('--name <name>', 'display name')
	.option('--password <password>', 'password (at least 10 characters); prefer the prompt')
	.action((options: { email: string; handle: string; name: string; password?: string }) => adminCreate(options));
admin
	.command('grant')
	.description('Make a member an administrator.')
	.argument('<handle>')
	.action((handle: string) => adminSet(handle, true));
admin
	.command('revoke')
	.description('Take the administrator role from a member (never the last one).')
	.argument('<handle>')
	.action((handle: string) => adminSet(handle, false));
admin
	.command('reset-link')
	.description('Print a one-time password reset link for a member, to pass on (works once, for 24 hours; ORIGIN sets the address).')
	.argument('<handle>')
	.action((handle: string) => adminResetLink(handle));

// Every module's subcommands, as their manifests describe them.
for (const spec of commands) {
	let parent = program;
	for (const word of spec.path.slice(0, -1)) {
		parent = parent.commands.find((c) => c.name() === word) ?? parent.command(word).description(spec.groupDescription ?? '');
	}
	const command = parent.command(spec.path.at(-1)!).description(spec.description);
	for (const argument of spec.arguments ?? []) command.argument(argument.name, argument.description);
	for (const option of spec.options ?? []) command.option(option.flags, option.description, option.default);
	command.action((...received: unknown[]) => {
		const args = received.slice(0, spec.arguments?.length ?? 0) as string[];
		const options = (received[spec.arguments?.length ?? 0] ?? {}) as Record<string, unknown>;
		return spec.run({ withDatabase, runningServer }, args, options);
	});
}

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
