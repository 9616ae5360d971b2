import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A tiny JSON HTTP server for fake trackers in tests: each fake implements the subset of its tracker's
 * documented API the provider uses, with state the test can change.
 */

export interface FakeRequest {
	method: string;
	path: string;
	headers: IncomingMessage['headers'];
	body: unknown;
}
export type FakeAnswer = { status: number; body?: unknown };

export async function startJsonServer(handle: (request: FakeRequest) => FakeAnswer | Promise<FakeAnswer>): Promise<{ url: string; close(): Promise<void> }> {
	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			let body: unknown;
			const text = Buffer.concat(chunks).toString('utf8');
			try {
				body = text ? JSON.parse(text) : undefined;
			} catch {
				res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Problems parsing JSON' }));
				return;
			}
			try {
				const url = new URL(req.url ?? '/', 'http://fake');
				const answer = await handle({ method: req.method ?? 'GET', path: url.pathname, headers: req.headers, body });
				res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body === undefined ? '' : JSON.stringify(answer.body));
			} catch (error) {
				res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ message: String(error) }));
			}
		});
	});
	server.keepAliveTimeout = 5_000;
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			})
	};
}

/** Timestamps that always move forward, one second apart, so "changed since" is never ambiguous. */
export function ticker(start = Date.parse('2026-11-20T00:00:00Z')) {
	let at = start;
	return () => new Date((at += 1000)).toISOString();
}
