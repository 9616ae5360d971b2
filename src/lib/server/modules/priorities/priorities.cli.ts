import { writeFileSync } from 'node:fs';
import { siteOrigin } from '#lib/server/platform/config.ts';
import { AppError, invalid } from '#lib/server/platform/errors.ts';
import type { CliCommand } from '#lib/server/platform/module.ts';
import { EXPORT_FORMATS, exportPublishedList, type ExportFormat } from './priorities.export.ts';

/**
 * `caucus priorities export <list>`: a published list as Markdown or JSON, to standard output or a file.
 * Published lists are public, so this needs no account. The list is named by id, by slug
 * (ops-team-2027.1-v1) or by series (ops-team-2027.1, its newest version). Links in the file are absolute, as
 * in the web export: ORIGIN when it is set, else the address `caucus serve` listens on.
 */
export const prioritiesCommands: readonly CliCommand[] = [
	{
		path: ['priorities', 'export'],
		groupDescription: 'Priority lists.',
		description: 'Write a published priority list as Markdown or JSON (to standard output unless --output).',
		arguments: [{ name: '<list>', description: 'the list: its id, its slug (ops-team-2027.1-v1) or its series (ops-team-2027.1, the newest version)' }],
		options: [
			{ flags: '--format <format>', description: 'md or json', default: 'md' },
			{ flags: '--output <file>', description: 'write to this file instead of standard output' }
		],
		async run(cli, [ref], options) {
			const format = String(options.format);
			const output = options.output === undefined ? undefined : String(options.output);
			if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw invalid({ format: 'Give md or json.' }, `Unknown format "${format}".`);
			const write = (file: { filename: string; content: string }) => {
				if (output) {
					writeFileSync(output, file.content);
					console.error(`Wrote ${file.filename} to ${output}.`);
				} else process.stdout.write(file.content);
			};
			// A published list is public: while a server holds the embedded database, ask it instead of waiting.
			const server = cli.runningServer();
			if (server) {
				console.error(`Reading through the server running at ${server}, which holds the embedded database.`);
				write(await exportThrough(server, ref, format as ExportFormat));
				return;
			}
			await cli.withDatabase(async (_database, ctx) => write(await exportPublishedList(ctx.db, ref, format as ExportFormat, siteOrigin())));
		}
	}
];

/** The export through the running server's API (exportListOp): the same file, with the server's own links. */
async function exportThrough(server: string, ref: string, format: ExportFormat): Promise<{ filename: string; content: string }> {
	const response = await fetch(`${server}/api/v1/priorities/lists/${encodeURIComponent(ref)}/export?format=${format}`);
	const body = (await response.json().catch(() => null)) as { filename?: string; content?: string; error?: { code: string; message: string } } | null;
	if (response.ok && typeof body?.content === 'string' && typeof body.filename === 'string') return { filename: body.filename, content: body.content };
	if (body?.error) throw new AppError(body.error.code === 'not_found' ? 'not_found' : 'invalid_input', body.error.message);
	throw new Error(`The server at ${server} answered ${response.status}.`);
}
