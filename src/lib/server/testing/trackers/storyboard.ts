import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stateful stand-in for OpenStack StoryBoard's API v1 on 127.0.0.1 at a random port, speaking the subset Caucus
 * uses: GET /api/v1/projects?name=, POST /api/v1/stories, POST /api/v1/tasks, GET /api/v1/stories/<id> and
 * GET /api/v1/stories/<id>/tasks. Writes need "Authorization: Bearer <token>"; reads work without one, but a
 * token that is sent must be valid (storyboard/api/auth/authorization_checks.py: guest() and authenticated()),
 * so a wrong token is refused with 401 on any request. Errors use WSME's body {"faultcode", "faultstring", "debuginfo"}.
 * A story's status is derived from its tasks as StoryBoard derives it: invalid when every task is invalid, merged
 * when every task is merged or invalid, active otherwise.
 */

export interface FakeStoryBoardTask {
	id: number;
	storyId: number;
	projectId: number;
	title: string;
	status: 'todo' | 'inprogress' | 'review' | 'merged' | 'invalid';
	created: Date;
	updated: Date | null;
}

export interface FakeStoryBoardStory {
	id: number;
	title: string;
	description: string;
	tags: string[];
	isBug: boolean;
	created: Date;
	updated: Date | null;
}

export interface FakeStoryBoard {
	/** What a tracker's base URL is set to: http://127.0.0.1:<port>/api/v1 */
	baseUrl: string;
	/** The web root, where story pages live (/#!/story/<id>). */
	webUrl: string;
	stories: Map<number, FakeStoryBoardStory>;
	tasks: FakeStoryBoardTask[];
	requests: { method: string; path: string; authorized: boolean; body: unknown }[];
	/** Sets the status of every task of a story, as developers moving it along would. */
	setTaskStatus(storyId: number, status: FakeStoryBoardTask['status']): void;
	failNext(status: number, count?: number): void;
	close(): Promise<void>;
}

const TASK_STATUSES = ['todo', 'inprogress', 'review', 'merged', 'invalid'];

function readBody(request: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		request.on('data', (chunk: Buffer) => chunks.push(chunk));
		request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		request.on('error', reject);
	});
}

function send(response: ServerResponse, status: number, body: unknown): void {
	response.writeHead(status, { 'content-type': 'application/json' });
	response.end(JSON.stringify(body));
}

function fault(response: ServerResponse, status: number, message: string): void {
	send(response, status, { faultcode: status < 500 ? 'Client' : 'Server', faultstring: message, debuginfo: null });
}

/** StoryBoard's timestamps: ISO 8601 with an explicit UTC offset. */
function stamp(date: Date | null): string | null {
	return date ? date.toISOString().replace(/\.\d{3}Z$/, '+00:00') : null;
}

export async function startFakeStoryBoard(options: { token: string; projects: { id: number; name: string }[] }): Promise<FakeStoryBoard> {
	const stories = new Map<number, FakeStoryBoardStory>();
	const tasks: FakeStoryBoardTask[] = [];
	const requests: FakeStoryBoard['requests'] = [];
	let failures: { status: number; remaining: number } | null = null;
	let nextStory = 2_011_000;
	let nextTask = 5_000;

	function storyStatus(story: FakeStoryBoardStory): string {
		const states = tasks.filter((t) => t.storyId === story.id).map((t) => t.status);
		if (states.length && states.every((s) => s === 'invalid')) return 'invalid';
		if (states.length && states.every((s) => s === 'merged' || s === 'invalid')) return 'merged';
		return 'active';
	}

	function storyJson(story: FakeStoryBoardStory) {
		const own = tasks.filter((t) => t.storyId === story.id);
		return {
			id: story.id,
			title: story.title,
			description: story.description,
			is_bug: story.isBug,
			creator_id: 1,
			story_type_id: 1,
			status: storyStatus(story),
			tags: story.tags,
			task_statuses: TASK_STATUSES.map((key) => ({ key, count: own.filter((t) => t.status === key).length })),
			created_at: stamp(story.created),
			updated_at: stamp(story.updated)
		};
	}

	function taskJson(task: FakeStoryBoardTask) {
		return {
			id: task.id,
			title: task.title,
			status: task.status,
			story_id: task.storyId,
			project_id: task.projectId,
			creator_id: 1,
			priority: 'medium',
			created_at: stamp(task.created),
			updated_at: stamp(task.updated)
		};
	}

	async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
		const url = new URL(request.url ?? '/', 'http://fake');
		const raw = await readBody(request);
		let body: any = null;
		if (raw) {
			try {
				body = JSON.parse(raw);
			} catch {
				return fault(response, 400, 'Invalid JSON body');
			}
		}
		const authorization = request.headers.authorization;
		const authorized = authorization === `Bearer ${options.token}`;
		requests.push({ method: request.method ?? 'GET', path: url.pathname, authorized, body });
		if (failures && failures.remaining > 0) {
			failures.remaining -= 1;
			return fault(response, failures.status, 'Internal Server Error');
		}
		if (authorization !== undefined && !authorized) return fault(response, 401, 'Invalid access token');
		if (request.method === 'POST' && !authorized) return fault(response, 401, 'Unauthorized');

		if (request.method === 'GET' && url.pathname === '/api/v1/projects') {
			const name = url.searchParams.get('name');
			return send(
				response,
				200,
				options.projects.filter((p) => !name || p.name.includes(name)).map((p) => ({ ...p, is_active: true }))
			);
		}
		if (request.method === 'POST' && url.pathname === '/api/v1/stories') {
			if (typeof body?.title !== 'string' || body.title.trim() === '' || body.title.length > 255)
				return fault(response, 400, 'Invalid input for field/attribute title.');
			const story: FakeStoryBoardStory = {
				id: nextStory++,
				title: body.title,
				description: typeof body.description === 'string' ? body.description : '',
				tags: Array.isArray(body.tags) ? body.tags : [],
				isBug: body.is_bug === true,
				created: new Date(),
				updated: null
			};
			stories.set(story.id, story);
			return send(response, 200, storyJson(story));
		}
		if (request.method === 'POST' && url.pathname === '/api/v1/tasks') {
			if (!stories.has(body?.story_id)) return fault(response, 400, `Story ${body?.story_id} not found`);
			if (!options.projects.some((p) => p.id === body?.project_id)) return fault(response, 400, `Project ${body?.project_id} not found`);
			const status = body.status ?? 'todo';
			if (!TASK_STATUSES.includes(status)) return fault(response, 400, `Invalid status ${status}`);
			const task: FakeStoryBoardTask = {
				id: nextTask++,
				storyId: body.story_id,
				projectId: body.project_id,
				title: String(body.title ?? ''),
				status,
				created: new Date(),
				updated: null
			};
			tasks.push(task);
			return send(response, 200, taskJson(task));
		}
		const match = /^\/api\/v1\/stories\/(\d+)(\/tasks)?$/.exec(url.pathname);
		if (request.method === 'GET' && match) {
			const story = stories.get(Number(match[1]));
			if (!story) return fault(response, 404, `Story ${match[1]} not found`);
			if (match[2]) return send(response, 200, tasks.filter((t) => t.storyId === story.id).map(taskJson));
			return send(response, 200, storyJson(story));
		}
		return fault(response, 404, 'The resource could not be found.');
	}

	const server: Server = createServer((request, response) => {
		handle(request, response).catch((error) => fault(response, 500, String(error)));
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => resolve());
	});
	const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	return {
		baseUrl: `${origin}/api/v1`,
		webUrl: origin,
		stories,
		tasks,
		requests,
		setTaskStatus(storyId, status) {
			const own = tasks.filter((t) => t.storyId === storyId);
			if (own.length === 0) throw new Error(`The fake StoryBoard has no tasks for story ${storyId}`);
			for (const task of own) {
				task.status = status;
				task.updated = new Date(Math.max(Date.now(), (task.updated ?? task.created).getTime() + 1000));
			}
		},
		failNext(status, count = 1) {
			failures = { status, remaining: count };
		},
		close() {
			return new Promise((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			});
		}
	};
}
