import type { Operation } from '#lib/server/platform/http/api.ts';

export const championsOperations: readonly Operation[] = [];
