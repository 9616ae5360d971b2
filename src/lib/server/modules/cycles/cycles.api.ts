import { z } from 'zod';
import { defineOperation, type Operation } from '#lib/server/platform/http/api.ts';
import type { Cycle } from './cycles.queries.ts';
import { cycleInput, cycleSlug } from './cycles.schemas.ts';

export const cycleOut = z.object({
	id: z.number().int(),
	slug: z.string().describe('The cycle as the project names it, e.g. 2027.1.'),
	name: z.string(),
	startsOn: z.iso.date(),
	endsOn: z.iso.date().describe('Inclusive.')
});
export const cycleJson = (c: Cycle): z.input<typeof cycleOut> => ({ id: c.id, slug: c.slug, name: c.name, startsOn: c.startsOn, endsOn: c.endsOn });

const slugParams = z.object({ slug: cycleSlug });

export const listCyclesOp = defineOperation({
	id: 'listCycles',
	method: 'GET',
	path: '/cycles',
	summary: 'List the release cycles, newest first',
	tag: 'cycles',
	auth: 'public',
	response: z.object({ cycles: z.array(cycleOut) })
});

export const getCycleOp = defineOperation({
	id: 'getCycle',
	method: 'GET',
	path: '/cycles/{slug}',
	summary: 'Read a cycle',
	tag: 'cycles',
	auth: 'public',
	params: slugParams,
	response: cycleOut
});

export const createCycleOp = defineOperation({
	id: 'createCycle',
	method: 'POST',
	path: '/cycles',
	summary: 'Add a cycle (site administrators)',
	tag: 'cycles',
	auth: 'required',
	body: cycleInput,
	response: cycleOut,
	status: 201
});

export const updateCycleOp = defineOperation({
	id: 'updateCycle',
	method: 'PUT',
	path: '/cycles/{slug}',
	summary: "Change a cycle's slug, name or dates (site administrators)",
	tag: 'cycles',
	auth: 'required',
	params: slugParams,
	body: cycleInput,
	response: cycleOut
});

export const cyclesOperations: readonly Operation[] = [listCyclesOp, getCycleOp, createCycleOp, updateCycleOp];
