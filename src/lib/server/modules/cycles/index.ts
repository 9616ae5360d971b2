export * from './cycles.tables.ts';
export * from './cycles.queries.ts';
export * from './cycles.schemas.ts';
export * from './cycles.policy.ts';
export * from './cycles.commands.ts';
