import { writeFileSync } from 'node:fs';
import { config } from '#lib/server/platform/config.ts';
import { invalid } from '#lib/server/platform/errors.ts';
import { EXPORT_FORMATS, exportPublishedList, type ExportFormat } from '#lib/server/modules/priorities/index.ts';
import { withDatabase } from './database.ts';

/**
 * `caucus priorities export <list>`: a published list as Markdown or JSON, to standard output or a file.
 * Published lists are public, so this needs no account. The list is named by id, by slug
 * (ops-team-2027.1-v1) or by series (ops-team-2027.1, its newest version). Links in the file use ORIGIN
 * when it is set, and are site-relative otherwise.
 */
export async function exportPriorities(ref: string, options: { format: string; output?: string }): Promise<void> {
	if (!(EXPORT_FORMATS as readonly string[]).includes(options.format)) throw invalid({ format: 'Give md or json.' }, `Unknown format "${options.format}".`);
	await withDatabase(async (_database, ctx) => {
		const file = await exportPublishedList(ctx.db, ref, options.format as ExportFormat, config().origin?.replace(/\/$/, '') ?? '');
		if (options.output) {
			writeFileSync(options.output, file.content);
			console.error(`Wrote ${file.filename} to ${options.output}.`);
		} else process.stdout.write(file.content);
	});
}
