export * from './groups.tables.ts';
export * from './groups.schemas.ts';
export * from './groups.policy.ts';
export * from './groups.queries.ts';
export * from './groups.visibility.ts';
export * from './groups.commands.ts';
