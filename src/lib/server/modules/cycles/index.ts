export * from './cycles.tables.ts';
export * from './cycles.queries.ts';
