import type { Actor } from '#lib/server/platform/context.ts';
import type { Logger } from '#lib/server/platform/log.ts';
import type { ErrorCode } from '#lib/server/platform/errors.ts';

declare global {
	namespace App {
		interface Error {
			message: string;
			code?: ErrorCode | 'internal';
			requestId?: string;
		}
		interface Locals {
			actor: Actor | null;
			/** The raw session cookie, kept so "sign out" and "change password" know which session is this one. */
			sessionToken: string | null;
			requestId: string;
			log: Logger;
		}
	}
}

export {};
