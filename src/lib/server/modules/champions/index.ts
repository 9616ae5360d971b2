export * from './champions.tables.ts';
export * from './champions.urls.ts';
export * from './champions.schemas.ts';
export * from './champions.policy.ts';
export * from './champions.commands.ts';
export * from './champions.queries.ts';
export * from './accountability.queries.ts';
export * from './champions.refresh.ts';
