import { listTrackerChoices } from '#lib/server/modules/handoff/index.ts';
import { listTrackersOp, trackerJson } from '#lib/server/modules/handoff/handoff.api.ts';
import { endpoint } from '#lib/server/platform/http/api.ts';

export const GET = endpoint(listTrackersOp, async (_input, ctx) => ({ trackers: (await listTrackerChoices(ctx)).map(trackerJson) }));
