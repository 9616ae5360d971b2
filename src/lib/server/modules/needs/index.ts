export * from './needs.tables.ts';
export * from './needs.schemas.ts';
export * from './needs.policy.ts';
export * from './needs.visibility.ts';
export * from './needs.access.ts';
