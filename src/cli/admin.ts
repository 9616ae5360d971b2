import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { CLI_ACTOR, inTransaction } from '#lib/server/platform/context.ts';
import { invalid } from '#lib/server/platform/errors.ts';
import { issueResetLink, setAdmin, signUp } from '#lib/server/modules/members/index.ts';
import { siteOrigin } from '#lib/server/platform/config.ts';
import { withDatabase } from './database.ts';

async function askPassword(): Promise<string> {
	if (!process.stdin.isTTY) {
		const lines = createInterface({ input: process.stdin });
		for await (const line of lines) return line;
		throw invalid({ password: 'Give a password with --password or on standard input.' });
	}
	let muted = false;
	const output = new Writable({
		write(chunk, _encoding, done) {
			if (!muted) process.stdout.write(chunk);
			done();
		}
	});
	const rl = createInterface({ input: process.stdin, output, terminal: true });
	const ask = async (prompt: string) => {
		process.stdout.write(prompt);
		muted = true;
		const answer = await rl.question('');
		muted = false;
		process.stdout.write('\n');
		return answer;
	};
	const first = await ask('Password: ');
	const second = await ask('Password again: ');
	rl.close();
	if (first !== second) throw invalid({ password: 'The two passwords differ.' });
	return first;
}

export async function adminCreate(options: { email: string; handle: string; name: string; password?: string }): Promise<void> {
	const password = options.password ?? (await askPassword());
	await withDatabase(async (_database, ctx) => {
		const cli = { ...ctx, actor: CLI_ACTOR };
		const account = await inTransaction(cli, async (tx) => {
			const created = await signUp(tx, { email: options.email, handle: options.handle, displayName: options.name, password });
			await setAdmin(tx, { handle: created.handle, isAdmin: true });
			return created;
		});
		console.log(`Created administrator @${account.handle} <${account.email}>.`);
	});
}

export async function adminSet(handle: string, isAdmin: boolean): Promise<void> {
	await withDatabase(async (_database, ctx) => {
		const member = await setAdmin({ ...ctx, actor: CLI_ACTOR }, { handle, isAdmin });
		console.log(`@${member.handle} is ${member.isAdmin ? 'now an administrator' : 'no longer an administrator'}.`);
	});
}

/** Prints a one-time password reset link for a member (decision 0012); the link alone goes to standard output. */
export async function adminResetLink(handle: string): Promise<void> {
	await withDatabase(async (_database, ctx) => {
		const issued = await issueResetLink({ ...ctx, actor: CLI_ACTOR }, { handle });
		console.error(`A one-time password reset link for @${issued.member.handle}, valid until ${issued.expiresAt.toISOString()}; it replaces any earlier link:`);
		console.log(`${siteOrigin()}${issued.path}`);
	});
}
