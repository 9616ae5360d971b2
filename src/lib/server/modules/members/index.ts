export * from './members.tables.ts';
export * from './members.schemas.ts';
export * from './members.queries.ts';
export * from './members.commands.ts';
export * from './members.policy.ts';
export * from './members.reset.ts';
