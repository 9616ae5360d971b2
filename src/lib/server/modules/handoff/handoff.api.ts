import type { Operation } from '#lib/server/platform/http/api.ts';

export const handoffOperations: readonly Operation[] = [];
