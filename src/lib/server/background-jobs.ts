/*
 * The modules whose background jobs the worker runs. Importing a module registers its job kinds
 * (`registerJob`); a module missing here has its jobs queued but never run.
 */
import '#lib/server/modules/handoff/index.ts';
import '#lib/server/modules/champions/index.ts';
import '#lib/server/modules/priorities/index.ts';
import '#lib/server/modules/needs/index.ts';
