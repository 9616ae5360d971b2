import type { Operation } from '#lib/server/platform/http/api.ts';
import { membersOperations } from '#lib/server/modules/members/members.api.ts';

/** Every operation of the JSON API, in the order the OpenAPI document lists them. */
export const operations: readonly Operation[] = [...membersOperations];
